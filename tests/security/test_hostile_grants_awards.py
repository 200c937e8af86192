"""Hostile input to the money after the signature: funding streams, a year's allocation,
withdrawing an award, bank details and their verification, due diligence, agreement
templates, the offer, the signatory's answer and marking a signatory (tests/security/hostile/ says what every post is checked for)."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import strategies as st

from grants.enums import AwardStatus
from grants.models import (
    CLAUSES,
    AgreementDocument,
    AgreementTemplate,
    Award,
    BankAccount,
    DiligenceCheck,
    FundingStream,
    StreamAllocation,
)
from partners.models import Membership
from tests.grants import awarding

from .hostile import (
    as_decimal,
    check_form,
    form_data,
    hostile,
    hostile_amount,
    hostile_bool,
    hostile_choice,
    hostile_date,
    hostile_file,
    hostile_text,
    last,
    page_shows,
    stripped,
    valid_amount,
    valid_file,
    valid_text,
)

YEARS = ["2024-25", "2025-26"]


@pytest.fixture
def stream(award):
    return award.stream


def stream_fields():
    return {
        "name": valid_text(200),
        "funder": valid_text(200),
        "notes": valid_text(5000, min_size=0),
    }


@hostile(20)
def test_stream_create(db, data, staff_user):
    posted = data.draw(form_data(valid=stream_fields()))

    def created(response, client):
        stream = FundingStream.objects.get()
        assert (stream.name, stream.funder, stream.notes) == (
            stripped(posted, "name"),
            stripped(posted, "funder"),
            stripped(posted, "notes"),
        )
        page_shows(client, response["Location"], stream.name, stream.funder)

    check_form(data, reverse("grants:staff-stream-create"), posted, staff_user, accepted=created)


@hostile(20)
def test_stream_edit(db, data, staff_user, stream):
    posted = data.draw(form_data(valid=stream_fields()))

    def saved(response, client):
        changed = FundingStream.objects.get(pk=stream.pk)
        assert (changed.name, changed.funder) == (
            stripped(posted, "name"),
            stripped(posted, "funder"),
        )
        page_shows(client, response["Location"], changed.name)

    url = reverse("grants:staff-stream-edit", args=[stream.pk])
    check_form(data, url, posted, staff_user, watch=[stream], accepted=saved)


@hostile(25)
def test_allocation_set(db, data, staff_user, stream):
    posted = data.draw(
        form_data(
            valid={
                "financial_year": st.sampled_from(YEARS),
                "labour": valid_amount(0, 900000),
                "non_labour": valid_amount(0, 900000),
            },
            hostile={
                "financial_year": hostile_choice(*YEARS, "2024-2025", "2024-26", "24-25"),
                "labour": hostile_amount(),
                "non_labour": hostile_amount(),
            },
        )
    )

    def allocated(response, client):
        allocation = StreamAllocation.objects.get(stream=stream)
        assert allocation.financial_year == stripped(posted, "financial_year")
        assert allocation.labour == as_decimal(last(posted, "labour"))
        assert allocation.non_labour == as_decimal(last(posted, "non_labour"))
        page_shows(client, response["Location"], allocation.financial_year)

    url = reverse("grants:staff-stream-allocation", args=[stream.pk])
    check_form(data, url, posted, staff_user, watch=[stream], accepted=allocated)


@hostile(20)
def test_award_withdraw(db, data, staff_user, award):
    posted = data.draw(form_data(valid={"reason": valid_text(2000)}))

    def withdrawn(response, client):
        changed = Award.objects.get(pk=award.pk)
        assert changed.status == AwardStatus.WITHDRAWN
        reason = changed.status_changes.get().reason
        assert reason == stripped(posted, "reason")
        page_shows(client, response["Location"], reason)

    url = reverse("grants:award-withdraw", args=[award.reference])
    check_form(data, url, posted, staff_user, watch=[award], accepted=withdrawn)


# --- Before the offer: bank details, due diligence, templates, the offer ---------------------

SORT_CODES = ["309430", "30-94-30", "30 94 30"]
ACCOUNT_NUMBERS = ["00733445", "733445", "0733445", "0073 3445"]
BAD_NUMBERS = ["", "12345", "1234567", "ab-cd-ef", "123456789", "٣٠٩٤٣٠", "30_94_30", "1" * 40]


def digits(text: str) -> str:
    return re.sub(r"[\s-]", "", text)


@hostile(25)
def test_bank_details(db, data, provider, award):
    posted = data.draw(
        form_data(
            valid={
                "account_name": valid_text(140),
                "sort_code": st.sampled_from(SORT_CODES),
                "account_number": st.sampled_from(ACCOUNT_NUMBERS),
            },
            hostile={
                "sort_code": st.one_of(st.sampled_from(BAD_NUMBERS), hostile_text(20)),
                "account_number": st.one_of(st.sampled_from(BAD_NUMBERS), hostile_text(20)),
            },
        )
    )

    def saved(response, client):
        account = BankAccount.objects.get(organisation=award.organisation)
        number = digits(last(posted, "account_number")).zfill(8)
        assert (account.account_name, account.sort_code, account.account_number) == (
            stripped(posted, "account_name"),
            digits(last(posted, "sort_code")),
            number,
        )
        assert (account.changed_by, account.verified_at) == (provider, None)
        page_shows(client, response["Location"], "****" + number[-4:])
        assert number not in client.get(response["Location"]).content.decode()

    url = reverse("grants:award-bank-details", args=[award.reference])
    check_form(data, url, posted, provider, watch=[award.organisation], accepted=saved)


@pytest.fixture
def entered(provider, award):
    return awarding.enter_bank_details(award, provider)


@hostile(20)
def test_bank_details_verify(db, data, staff_user, award, entered):
    posted = data.draw(
        form_data(
            valid={
                "sort_code": st.sampled_from(SORT_CODES),
                "account_number": st.sampled_from(ACCOUNT_NUMBERS[:3]),
            },
            hostile={
                "sort_code": st.one_of(st.sampled_from([*BAD_NUMBERS, "309431"]), hostile_text(20)),
                "account_number": st.one_of(
                    st.sampled_from([*BAD_NUMBERS, "00733446"]), hostile_text(20)
                ),
            },
        )
    )

    def verified(response, client):
        account = BankAccount.objects.get(pk=entered.pk)
        assert account.verified_by == staff_user
        page_shows(client, response["Location"], "Yes, by")

    url = reverse("grants:award-bank-verify", args=[award.reference])
    check_form(data, url, posted, staff_user, watch=[entered], accepted=verified)


def date_input(day: datetime.date) -> str:
    return day.isoformat()


@hostile(30)
def test_diligence_item(db, data, settings, staff_user, award, award_files):
    settings.ATTACHMENT_MAX_BYTES = 4096
    today = timezone.localdate()
    item = data.draw(st.sampled_from(["organisation", "insurance", "fraud_risk"]))
    valid = {
        "organisation": {
            "satisfactory": "yes",
            "number": st.sampled_from(["1234567", "SC012345"]),
            "dated_on": date_input(today),
            "note": valid_text(4000),
        },
        "insurance": {
            "satisfactory": "yes",
            "dated_on": date_input(today + datetime.timedelta(days=100)),
            "file": valid_file(limit=4096),
            "note": valid_text(4000, min_size=0),
        },
        "fraud_risk": {
            "satisfactory": st.sampled_from(["yes", "no"]),
            "rating": st.sampled_from(["low", "medium", "high"]),
            "note": valid_text(4000),
        },
    }[item]
    posted = data.draw(
        form_data(
            valid=valid,
            hostile={
                "satisfactory": hostile_choice("yes", "no"),
                "dated_on": st.one_of(
                    hostile_date(), st.just(date_input(today - datetime.timedelta(days=1)))
                ),
                "file": hostile_file(limit=4096),
                "rating": hostile_choice("low", "medium", "high"),
            },
        )
    )

    def recorded(response, client):
        check = DiligenceCheck.objects.get(award=award, item=item)
        assert check.satisfactory == (last(posted, "satisfactory") == "yes")
        assert check.note == stripped(posted, "note")
        assert check.recorded_by == staff_user
        if item == "insurance" and check.satisfactory:
            assert check.dated_on > today and check.file
        if item == "fraud_risk":
            assert check.rating == last(posted, "rating")
        page_shows(client, response["Location"], check.get_item_display())

    url = reverse("grants:award-diligence", args=[award.reference, item])
    check_form(data, url, posted, staff_user, watch=[award], accepted=recorded)


def template_fields():
    return {"name": valid_text(200), **{field: valid_text(3000) for field, _ in CLAUSES}}


@hostile(20)
def test_agreement_template_create(db, data, staff_user):
    posted = data.draw(form_data(valid=template_fields()))

    def created(response, client):
        template = AgreementTemplate.objects.get()
        assert template.name == stripped(posted, "name")
        assert template.clauses() == [
            [heading, stripped(posted, field)] for field, heading in CLAUSES
        ]
        page_shows(client, response["Location"], template.name)

    url = reverse("grants:staff-agreement-template-create")
    check_form(data, url, posted, staff_user, accepted=created)


@pytest.fixture
def agreement_template(staff_user):
    return awarding.make_template(staff_user)


@hostile(15)
def test_agreement_template_edit(db, data, staff_user, agreement_template):
    posted = data.draw(form_data(valid=template_fields()))

    def saved(response, client):
        template = AgreementTemplate.objects.get(pk=agreement_template.pk)
        assert template.name == stripped(posted, "name")
        page_shows(client, response["Location"], template.name)

    url = reverse("grants:staff-agreement-template", args=[agreement_template.pk])
    check_form(data, url, posted, staff_user, watch=[agreement_template], accepted=saved)


@pytest.fixture
def ready_to_offer(award, provider, staff_user, entered, award_files):
    """Every item of the award's due diligence done, its bank details verified, the
    provider its organisation's signatory."""
    awarding.verify_bank_details(award, staff_user)
    awarding.complete_diligence(award, staff_user)
    awarding.set_plan(award, staff_user)
    awarding.make_signatory(provider)
    return Award.objects.get(pk=award.pk)


@hostile(15)
def test_award_offer(db, data, staff_user, ready_to_offer, agreement_template):
    other = AgreementTemplate.objects.create(
        name="Withdrawn template", updated_by=staff_user, **dict.fromkeys(dict(CLAUSES), "x")
    )
    posted = data.draw(
        form_data(
            valid={"template": st.sampled_from([agreement_template.pk, other.pk])},
            hostile={"template": hostile_choice(agreement_template.pk, other.pk)},
        )
    )

    def offered(response, client):
        award = Award.objects.get(pk=ready_to_offer.pk)
        assert award.status == AwardStatus.OFFERED
        agreement = award.agreements.get()
        assert agreement.template_name in (agreement_template.name, other.name)
        page_shows(client, response["Location"], "Waiting for the signatory")

    url = reverse("grants:award-offer", args=[ready_to_offer.reference])
    check_form(data, url, posted, staff_user, watch=[ready_to_offer], accepted=offered)


@pytest.fixture
def offered(ready_to_offer, staff_user, agreement_template):
    """The award offered, its agreement's signed PDF ready (a few bytes standing for it)."""
    return awarding.offer_ready(ready_to_offer, staff_user, agreement_template)


@hostile(25)
def test_agreement_accept(db, data, provider, offered):
    digest = AgreementDocument.objects.get(agreement__award=offered).sha256
    posted = data.draw(
        form_data(
            valid={
                "signatory_name": valid_text(200),
                "signatory_position": valid_text(200),
                "confirm": "on",
                "sha256": digest,
            },
            hostile={
                "confirm": hostile_bool(),
                "sha256": st.one_of(st.just(digest.upper()), st.just("0" * 64), hostile_text(80)),
            },
        )
    )

    def accepted(response, client):
        award = Award.objects.get(pk=offered.pk)
        agreement = award.agreements.get()
        assert award.status == AwardStatus.ACTIVE
        assert (agreement.signatory_name, agreement.signatory_position) == (
            stripped(posted, "signatory_name"),
            stripped(posted, "signatory_position"),
        )
        assert agreement.accepted_sha256 == digest
        page_shows(client, response["Location"], agreement.signatory_name)

    url = reverse("grants:agreement-accept", args=[offered.reference])
    check_form(data, url, posted, provider, watch=[offered], accepted=accepted)


@hostile(20)
def test_agreement_return(db, data, provider, offered):
    posted = data.draw(
        form_data(
            valid={
                "outcome": st.sampled_from(["declined", "changes_asked"]),
                "message": valid_text(4000),
            },
            hostile={"outcome": hostile_choice("declined", "changes_asked", "accepted")},
        )
    )

    def returned(response, client):
        award = Award.objects.get(pk=offered.pk)
        agreement = award.agreements.get()
        assert award.status == AwardStatus.DUE_DILIGENCE
        assert (agreement.outcome, agreement.message) == (
            last(posted, "outcome"),
            stripped(posted, "message"),
        )
        page_shows(client, response["Location"], agreement.message)

    url = reverse("grants:agreement-return", args=[offered.reference])
    check_form(data, url, posted, provider, watch=[offered], accepted=returned)


@hostile(15)
def test_membership_signatory(db, data, staff_user, provider):
    membership = provider.memberships.get()
    posted = data.draw(
        form_data(
            valid={"is_signatory": st.sampled_from(["yes", "no"])},
            hostile={"is_signatory": hostile_choice("yes", "no")},
        )
    )

    def marked(response, client):
        changed = Membership.objects.get(pk=membership.pk)
        assert changed.is_signatory == (last(posted, "is_signatory") == "yes")
        page_shows(client, response["Location"], provider.full_name)

    url = reverse("partners:membership-signatory", args=[membership.pk])
    check_form(data, url, posted, staff_user, watch=[membership], accepted=marked)
