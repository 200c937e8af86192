"""Factories for PCC decision records, one trait per status."""

import datetime

import factory

from decisions.enums import DecisionStatus, Outcome
from decisions.models import DecisionRecord
from partners.enums import Role

from .partners import UserFactory


class DecisionRecordFactory(factory.django.DjangoModelFactory):
    """A draft decision record written by OPCC staff, received on 1 March 2024.

    A trait per status fills what that status needs, as the workflow would have:
    `awaiting_approval` a reference (DN<n>-24), `awaiting_signature` the Chief Executive's
    approval on 20 March, `signed` the PCC's signature on 28 March with publication deferred
    to 30 April 2024 (a record signed without a deferral is published at once), `published`
    that signature and published_at. The rows are written directly: no status-change rows,
    no search index, no PDF.
    """

    class Meta:
        model = DecisionRecord

    title = "Knife crime awareness campaign in schools"
    received_on = datetime.date(2024, 3, 1)
    section_a = "A request to fund a knife crime awareness campaign in secondary schools."
    decision_text = "To approve the campaign."
    status = DecisionStatus.DRAFT
    created_by = factory.SubFactory(UserFactory, roles=[Role.OPCC_STAFF])

    class Params:
        awaiting_approval = factory.Trait(
            status=DecisionStatus.AWAITING_APPROVAL,
            reference=factory.Sequence(lambda n: f"DN{n + 1}-24"),
        )
        awaiting_signature = factory.Trait(
            awaiting_approval=True,
            status=DecisionStatus.AWAITING_SIGNATURE,
            advice_confirmed=True,
            officer_approval_name="Helen Carter",
            officer_approval_role="Chief Executive",
            officer_approved_on=datetime.date(2024, 3, 20),
            officer_approved_by=factory.SubFactory(
                UserFactory, full_name="Helen Carter", roles=[Role.CHIEF_EXECUTIVE]
            ),
        )
        pcc_signature = factory.Trait(
            awaiting_signature=True,
            outcome=Outcome.APPROVED,
            signed_by=factory.SubFactory(UserFactory, full_name="Morgan Reid", roles=[Role.PCC]),
            signed_name="Morgan Reid",
            signed_on=datetime.date(2024, 3, 28),
            signed_at=datetime.datetime(2024, 3, 28, 10, 0, tzinfo=datetime.UTC),
        )
        signed = factory.Trait(
            pcc_signature=True,
            status=DecisionStatus.SIGNED,
            publication_deferred=True,
            deferral_reasons="Staff affected must be consulted first.",
            deferred_until=datetime.date(2024, 4, 30),
        )
        published = factory.Trait(
            pcc_signature=True,
            status=DecisionStatus.PUBLISHED,
            published_at=datetime.datetime(2024, 3, 28, 10, 5, tzinfo=datetime.UTC),
        )
