"""Fixtures for decision records: the Chief Executive and the PCC, records taken to each
status through the services, and a round with the panel's recommendations to decide on.

The round, its panel and its applications come from tests/panels/conftest.py.
"""

import datetime
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.test import Client
from django.utils import timezone

from decisions import services
from decisions.enums import DecisionStatus, Outcome
from decisions.models import DecisionRecord
from grants.enums import Recommendation
from partners.enums import Role
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.factories.partners import PASSWORD
from tests.panels import conftest as panels

RECORD = {
    "title": "Knife crime awareness campaign in schools",
    "received_on": datetime.date(2024, 3, 1),
    "section_a": "A request to fund a knife crime awareness campaign in secondary schools.",
    "decision_text": "To approve the campaign.",
}
# The panels' round, panel, applications and moderation, found by pytest under these names.
applicant_org = panels.applicant_org
chair_user = panels.chair_user
declare = panels.declare
funding_round = panels.funding_round
make_application = panels.make_application
make_panel = panels.make_panel
make_panellist = panels.make_panellist
make_round = panels.make_round
member_user = panels.member_user
moderate = panels.moderate
panel = panels.panel
score = panels.score
third_user = panels.third_user

DEFERRAL = {
    "publication_deferred": True,
    "deferral_reasons": "Staff affected must be consulted first.",
}


def bulk_published(
    count, *, by, first=1, start=datetime.datetime(2024, 1, 1, 9, 0, tzinfo=datetime.UTC)
):
    """`count` published records in one INSERT, numbered from DN<first>-24, each an hour
    after the one before; the register's rows, not made through the workflow (no search
    index)."""
    rows = []
    for n in range(first, first + count):
        moment = start + datetime.timedelta(hours=n)
        rows.append(
            DecisionRecord(
                reference=f"DN{n}-24",
                title=f"Decision number {n}",
                received_on=moment.date(),
                section_a="A request for a decision.",
                decision_text="To approve the request.",
                status=DecisionStatus.PUBLISHED,
                outcome=Outcome.APPROVED,
                officer_approval_name="Helen Carter",
                officer_approved_on=moment.date(),
                advice_confirmed=True,
                signed_name="Morgan Reid",
                signed_on=moment.date(),
                signed_at=moment,
                published_at=moment,
                created_by=by,
            )
        )
    return DecisionRecord.objects.bulk_create(rows)


@pytest.fixture(autouse=True)
def section_b_storage(tmp_path, monkeypatch):
    """Section B reports (and their redacted copies) in a folder of this test's own, not
    the shared test media."""
    storage = FileSystemStorage(location=tmp_path / "private", base_url=None)
    monkeypatch.setattr(DecisionRecord._meta.get_field("section_b"), "storage", storage)
    monkeypatch.setattr(DecisionRecord._meta.get_field("section_b_redacted"), "storage", storage)
    return storage


@pytest.fixture
def ceo_user(db):
    return UserFactory(
        email="ceo@example.org", full_name="Helen Carter", roles=[Role.CHIEF_EXECUTIVE]
    )


@pytest.fixture
def pcc_user(db):
    return UserFactory(email="pcc@example.org", full_name="Morgan Reid", roles=[Role.PCC])


@pytest.fixture
def panel_member_user(db):
    user = UserFactory(email="panellist@example.org", roles=[Role.PANEL_MEMBER])
    MembershipFactory(user=user, organisation=OrganisationFactory(name="Durham Constabulary"))
    return user


@pytest.fixture
def client_as(db):
    """client_as(user): a test client of its own, signed in as that person."""

    def make(user):
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def future_day():
    """A deferral date well after today, whenever the suite runs."""
    return timezone.localdate() + datetime.timedelta(days=30)


@pytest.fixture
def make_record(staff_user, ceo_user, pcc_user):
    """make_record(status, outcome=…, declaration=…, section_b=b"…", **fields): a record taken
    to `status` through the services. SIGNED needs a deferral (`deferred_until=`), since a
    record signed without one is published at once."""

    def make(
        status=DecisionStatus.DRAFT,
        *,
        outcome=Outcome.APPROVED,
        declaration="None",
        section_b=None,
        **fields,
    ):
        record = services.decision_create(by=staff_user, **{**RECORD, **fields})
        if section_b is not None:
            record = services.decision_attach_section_b(
                record=record, by=staff_user, uploaded_file=ContentFile(section_b, name="b.txt")
            )
        if status == DecisionStatus.DRAFT:
            return record
        record = services.decision_submit(record=record, by=staff_user)
        if status == DecisionStatus.AWAITING_APPROVAL:
            return record
        record = services.decision_approve(
            record=record, by=ceo_user, advice_confirmed=True, name="Helen Carter"
        )
        if status == DecisionStatus.AWAITING_SIGNATURE:
            return record
        record = services.decision_sign(
            record=record,
            by=pcc_user,
            outcome=outcome,
            declaration=declaration,
            password=PASSWORD,
        )
        assert record.status == status, f"made {record.status}, not {status}"
        return record

    return make


@pytest.fixture
def record_in(make_record, future_day):
    """record_in(status): a record in that status; a signed one is deferred to future_day."""

    def make(status, **fields):
        if status == DecisionStatus.SIGNED:
            fields = {**DEFERRAL, "deferred_until": future_day, **fields}
        return make_record(status, **fields)

    return make


@pytest.fixture
def recommended_round(funding_round, panel, make_application, moderate):
    """The round (budget £10,000) with three applications moderated: YV1-0001 funded at
    £4,800 of £6,000, YV1-0002 funded with conditions at £3,000, YV1-0003 not funded."""
    first = make_application("Mentoring for young people at risk", amount=Decimal("6000"))
    second = make_application("Healthy relationships in schools", amount=Decimal("3000"))
    third = make_application("Boxing after school", amount=Decimal("2000"))
    moderate(first, Decimal("4800"), scores=(5, 4))
    moderate(
        second,
        Decimal("3000"),
        recommendation=Recommendation.FUND_WITH_CONDITIONS,
        conditions="Safeguarding training first.",
        scores=(4, 3),
    )
    moderate(third, Decimal("0"), recommendation=Recommendation.DO_NOT_FUND, scores=(1, 1))
    return funding_round
