"""The decision record workflow: every move, what each one writes, the lock on signed
records, corrections, round decisions and scheduled publication."""

import datetime
from decimal import Decimal
from unittest.mock import patch

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone

from decisions import services
from decisions.enums import DecisionStatus, Outcome
from decisions.models import DecisionRecord, DecisionStatusChange, ReferenceCounter
from grants.enums import ApplicationStatus, RoundStatus
from grants.models import Application, ApplicationStatusChange
from tests.factories import MembershipFactory, UserFactory
from tests.factories.partners import PASSWORD

from .conftest import DEFERRAL, RECORD

D = DecisionStatus
UTC = datetime.UTC
# 28 March 2024, 15:00 in London (GMT, so 15:00 UTC): the day DN50-24 was signed.
SIGNING_TIME = datetime.datetime(2024, 3, 28, 15, 0, tzinfo=UTC)
ALLOWED = {
    (D.DRAFT, D.AWAITING_APPROVAL),
    (D.AWAITING_APPROVAL, D.AWAITING_SIGNATURE),
    (D.AWAITING_APPROVAL, D.DRAFT),
    (D.AWAITING_SIGNATURE, D.SIGNED),
    (D.AWAITING_SIGNATURE, D.DRAFT),
    (D.SIGNED, D.PUBLISHED),
}
REFUSED = sorted((a, b) for a in D for b in D if (a, b) not in ALLOWED)
# How a status reads in the middle of a sentence.
IN_A_SENTENCE = {
    D.DRAFT: "draft",
    D.AWAITING_APPROVAL: "awaiting officer approval",
    D.AWAITING_SIGNATURE: "awaiting PCC signature",
    D.SIGNED: "signed",
    D.PUBLISHED: "published",
}


def frozen(moment):
    return patch("django.utils.timezone.now", return_value=moment)


def history(record):
    return list(
        DecisionStatusChange.objects.filter(record=record)
        .order_by("pk")
        .values_list("from_status", "to_status", "changed_by__email", "reason")
    )


# --- The map --------------------------------------------------------------------------------


def test_decision_moves_is_the_workflow():
    assert {(a, b) for a, targets in services.DECISION_MOVES.items() for b in targets} == ALLOWED
    assert set(services.DECISION_MOVES) == set(D)


@pytest.mark.parametrize(("from_status", "to_status"), REFUSED)
def test_decision_move_refuses_a_move_off_the_map(record_in, staff_user, from_status, to_status):
    record = record_in(from_status)
    before = history(record)
    with pytest.raises(ValidationError):
        services.decision_move(record=record, to_status=to_status, by=staff_user)
    record.refresh_from_db()
    assert record.status == from_status
    assert history(record) == before


@pytest.mark.parametrize(
    ("from_status", "to_status"),
    [pytest.param(a, b, id=f"{a}-{b}") for a, b in REFUSED],
)
def test_decision_move_refusal_names_both_statuses(record_in, staff_user, from_status, to_status):
    record = record_in(from_status)
    with pytest.raises(ValidationError) as caught:
        services.decision_move(record=record, to_status=to_status, by=staff_user)
    assert caught.value.messages == [
        f"A record that is {IN_A_SENTENCE[from_status]} cannot move to {IN_A_SENTENCE[to_status]}"
    ]


# --- Each move writes one status change ----------------------------------------------------


def test_decision_submit_writes_one_status_change(make_record):
    record = make_record(D.AWAITING_APPROVAL)
    assert history(record) == [(D.DRAFT, D.AWAITING_APPROVAL, "staff@example.org", "")]


def test_decision_approve_writes_one_status_change(make_record):
    record = make_record(D.AWAITING_SIGNATURE)
    assert history(record)[1:] == [
        (D.AWAITING_APPROVAL, D.AWAITING_SIGNATURE, "ceo@example.org", "")
    ]


def test_decision_return_from_approval_writes_the_comments(make_record, ceo_user):
    record = make_record(D.AWAITING_APPROVAL)
    record = services.decision_return(
        record=record, by=ceo_user, comments="  Add the evaluation costs.  "
    )
    assert record.status == D.DRAFT
    assert history(record)[1:] == [
        (D.AWAITING_APPROVAL, D.DRAFT, "ceo@example.org", "Add the evaluation costs.")
    ]


def test_decision_return_from_signature_writes_the_comments(make_record, pcc_user):
    record = make_record(D.AWAITING_SIGNATURE)
    record = services.decision_return(record=record, by=pcc_user, comments="Name the schools.")
    assert record.status == D.DRAFT
    assert history(record)[2:] == [
        (D.AWAITING_SIGNATURE, D.DRAFT, "pcc@example.org", "Name the schools.")
    ]


def test_decision_sign_deferred_writes_one_status_change(record_in):
    record = record_in(D.SIGNED)
    assert history(record)[2:] == [(D.AWAITING_SIGNATURE, D.SIGNED, "pcc@example.org", "")]


def test_decision_sign_not_deferred_writes_signed_then_published(make_record):
    record = make_record(D.PUBLISHED)
    assert history(record) == [
        (D.DRAFT, D.AWAITING_APPROVAL, "staff@example.org", ""),
        (D.AWAITING_APPROVAL, D.AWAITING_SIGNATURE, "ceo@example.org", ""),
        (D.AWAITING_SIGNATURE, D.SIGNED, "pcc@example.org", ""),
        (D.SIGNED, D.PUBLISHED, "pcc@example.org", ""),
    ]


def test_decisions_publish_due_writes_the_deferral_in_the_status_change(record_in, future_day):
    record = record_in(D.SIGNED)
    assert services.decisions_publish_due(today=future_day) == [record.reference]
    assert history(record)[3:] == [
        (
            D.SIGNED,
            D.PUBLISHED,
            None,
            f"Publication was deferred until {future_day.day} {future_day:%B %Y}",
        )
    ]


# --- Submit: the reference -----------------------------------------------------------------


def test_decision_submit_allocates_the_reference(make_record, staff_user):
    draft = make_record()
    assert draft.reference == ""
    with frozen(SIGNING_TIME):
        record = services.decision_submit(record=draft, by=staff_user)
    assert record.reference == "DN1-24"
    assert DecisionRecord.objects.get(pk=draft.pk).reference == "DN1-24"
    assert record.status == D.AWAITING_APPROVAL


def test_decision_submit_again_after_return_keeps_the_reference(make_record, staff_user, ceo_user):
    with frozen(SIGNING_TIME):
        record = make_record(D.AWAITING_APPROVAL)
        services.decision_return(record=record, by=ceo_user, comments="Add the costs.")
        record = services.decision_submit(record=record, by=staff_user)
        other = make_record(D.AWAITING_APPROVAL)
    assert (record.reference, other.reference) == ("DN1-24", "DN2-24")
    assert ReferenceCounter.objects.get(period="CY2024").next_number == 3


@pytest.mark.parametrize("status", [D.AWAITING_APPROVAL, D.AWAITING_SIGNATURE, D.PUBLISHED])
def test_decision_submit_refuses_a_record_that_is_not_a_draft(record_in, staff_user, status):
    record = record_in(status)
    with pytest.raises(ValidationError) as caught:
        services.decision_submit(record=record, by=staff_user)
    assert caught.value.messages == ["Only a draft can be submitted for approval"]
    assert DecisionRecord.objects.get(pk=record.pk).status == status


# --- Approve and return --------------------------------------------------------------------


def test_decision_approve_records_the_officer_approval(make_record, ceo_user):
    record = make_record(D.AWAITING_APPROVAL)
    with frozen(SIGNING_TIME):
        record = services.decision_approve(
            record=record, by=ceo_user, advice_confirmed=True, name="  Andrew Dale ", role=""
        )
    record = DecisionRecord.objects.get(pk=record.pk)
    assert record.status == D.AWAITING_SIGNATURE
    assert record.advice_confirmed is True
    assert record.officer_approval_name == "Andrew Dale"
    assert record.officer_approval_role == "Chief Executive"
    assert record.officer_approved_on == datetime.date(2024, 3, 28)
    assert record.officer_approved_by == ceo_user


def test_decision_approve_by_a_nominee_keeps_their_role(make_record, ceo_user):
    record = make_record(D.AWAITING_APPROVAL)
    record = services.decision_approve(
        record=record,
        by=ceo_user,
        advice_confirmed=True,
        name="Sam Jones",
        role="Chief Finance Officer",
    )
    assert (record.officer_approval_name, record.officer_approval_role) == (
        "Sam Jones",
        "Chief Finance Officer",
    )


def test_decision_approve_without_the_advice_confirmed_is_refused(make_record, ceo_user):
    record = make_record(D.AWAITING_APPROVAL)
    with pytest.raises(ValidationError) as caught:
        services.decision_approve(
            record=record, by=ceo_user, advice_confirmed=False, name="Helen Carter"
        )
    assert caught.value.message_dict == {
        "advice_confirmed": [
            "Confirm that financial, legal and equalities advice was taken into account"
        ]
    }
    record.refresh_from_db()
    assert (record.status, record.advice_confirmed, record.officer_approval_name) == (
        D.AWAITING_APPROVAL,
        False,
        "",
    )


def test_decision_approve_without_a_name_is_refused(make_record, ceo_user):
    record = make_record(D.AWAITING_APPROVAL)
    with pytest.raises(ValidationError) as caught:
        services.decision_approve(record=record, by=ceo_user, advice_confirmed=True, name="  ")
    assert caught.value.message_dict == {"name": ["Give the approving officer's name"]}
    assert DecisionRecord.objects.get(pk=record.pk).status == D.AWAITING_APPROVAL


@pytest.mark.parametrize("status", [D.DRAFT, D.AWAITING_SIGNATURE, D.PUBLISHED])
def test_decision_approve_refuses_a_record_not_awaiting_approval(record_in, ceo_user, status):
    record = record_in(status)
    with pytest.raises(ValidationError):
        services.decision_approve(
            record=record, by=ceo_user, advice_confirmed=True, name="Helen Carter"
        )
    assert DecisionRecord.objects.get(pk=record.pk).status == status


def test_decision_return_without_comments_is_refused(make_record, ceo_user):
    record = make_record(D.AWAITING_APPROVAL)
    with pytest.raises(ValidationError) as caught:
        services.decision_return(record=record, by=ceo_user, comments=" \n ")
    assert caught.value.message_dict == {"comments": ["Say what needs to change"]}
    assert DecisionRecord.objects.get(pk=record.pk).status == D.AWAITING_APPROVAL


@pytest.mark.parametrize("status", [D.DRAFT, D.SIGNED, D.PUBLISHED])
def test_decision_return_refuses_a_record_not_awaiting_a_move(record_in, ceo_user, status):
    record = record_in(status)
    before = history(record)
    with pytest.raises(ValidationError) as caught:
        services.decision_return(record=record, by=ceo_user, comments="Change it.")
    assert caught.value.messages == ["Only a record awaiting approval or signature can be returned"]
    assert DecisionRecord.objects.get(pk=record.pk).status == status
    assert history(record) == before


# --- Sign ----------------------------------------------------------------------------------


def test_decision_sign_wrong_password_leaves_the_record_awaiting(make_record, pcc_user):
    record = make_record(D.AWAITING_SIGNATURE)
    with pytest.raises(ValidationError) as caught:
        services.decision_sign(
            record=record,
            by=pcc_user,
            outcome=Outcome.APPROVED,
            declaration="None",
            password="not-the-password",
        )
    assert caught.value.message_dict == {"password": ["The password is not right"]}
    record = DecisionRecord.objects.get(pk=record.pk)
    assert (record.status, record.outcome, record.signed_by, record.signed_at) == (
        D.AWAITING_SIGNATURE,
        "",
        None,
        None,
    )
    assert len(history(record)) == 2


def test_decision_sign_another_persons_password_is_refused(make_record, pcc_user, ceo_user):
    record = make_record(D.AWAITING_SIGNATURE)
    ceo_user.set_password("the-ceo-password")
    ceo_user.save()
    with pytest.raises(ValidationError) as caught:
        services.decision_sign(
            record=record,
            by=pcc_user,
            outcome=Outcome.APPROVED,
            declaration="None",
            password="the-ceo-password",
        )
    assert caught.value.message_dict == {"password": ["The password is not right"]}


def test_decision_sign_unknown_outcome_is_refused(make_record, pcc_user):
    record = make_record(D.AWAITING_SIGNATURE)
    with pytest.raises(ValidationError) as caught:
        services.decision_sign(
            record=record, by=pcc_user, outcome="maybe", declaration="None", password=PASSWORD
        )
    assert caught.value.message_dict == {"outcome": ["Choose approved or not approved"]}
    assert DecisionRecord.objects.get(pk=record.pk).status == D.AWAITING_SIGNATURE


def test_decision_sign_records_the_decision_and_publishes_at_once(make_record, pcc_user):
    record = make_record(D.AWAITING_SIGNATURE)
    with frozen(SIGNING_TIME):
        record = services.decision_sign(
            record=record,
            by=pcc_user,
            outcome=Outcome.NOT_APPROVED,
            declaration="  I am a trustee of a charity in the area.  ",
            password=PASSWORD,
        )
    record = DecisionRecord.objects.get(pk=record.pk)
    assert record.status == D.PUBLISHED
    assert record.outcome == Outcome.NOT_APPROVED
    assert record.declaration == "I am a trustee of a charity in the area."
    assert record.signed_by == pcc_user
    assert record.signed_name == "Morgan Reid"
    assert record.signed_at == SIGNING_TIME
    assert record.signed_on == datetime.date(2024, 3, 28)
    assert record.published_at == SIGNING_TIME
    assert record.search_vector is not None


def test_decision_sign_blank_declaration_reads_none(make_record):
    record = make_record(D.PUBLISHED, declaration=" \n ")
    assert DecisionRecord.objects.get(pk=record.pk).declaration == "None"


def test_decision_sign_deferred_stays_signed_until_its_date(make_record, pcc_user):
    record = make_record(
        D.AWAITING_SIGNATURE, **DEFERRAL, deferred_until=datetime.date(2024, 4, 30)
    )
    with frozen(SIGNING_TIME):
        record = services.decision_sign(
            record=record,
            by=pcc_user,
            outcome=Outcome.APPROVED,
            declaration="None",
            password=PASSWORD,
        )
    record = DecisionRecord.objects.get(pk=record.pk)
    assert (record.status, record.published_at, record.signed_at) == (
        D.SIGNED,
        None,
        SIGNING_TIME,
    )


def test_decision_sign_deferred_to_the_signing_day_publishes_at_once(make_record, pcc_user):
    record = make_record(
        D.AWAITING_SIGNATURE, **DEFERRAL, deferred_until=datetime.date(2024, 3, 28)
    )
    with frozen(SIGNING_TIME):
        record = services.decision_sign(
            record=record,
            by=pcc_user,
            outcome=Outcome.APPROVED,
            declaration="None",
            password=PASSWORD,
        )
    assert (record.status, record.published_at) == (D.PUBLISHED, SIGNING_TIME)


@pytest.mark.parametrize("status", [D.DRAFT, D.AWAITING_APPROVAL, D.SIGNED, D.PUBLISHED])
def test_decision_sign_refuses_a_record_not_awaiting_signature(record_in, pcc_user, status):
    record = record_in(status)
    before = history(record)
    with pytest.raises(ValidationError):
        services.decision_sign(
            record=record,
            by=pcc_user,
            outcome=Outcome.NOT_APPROVED,
            declaration="None",
            password=PASSWORD,
        )
    after = DecisionRecord.objects.get(pk=record.pk)
    assert (after.status, after.outcome) == (status, record.outcome)
    assert history(record) == before


# --- A signed record is locked -------------------------------------------------------------


@pytest.mark.parametrize("status", [D.SIGNED, D.PUBLISHED])
def test_decision_update_refuses_a_signed_record(record_in, staff_user, status):
    record = record_in(status)
    with pytest.raises(ValidationError) as caught:
        services.decision_update(record=record, by=staff_user, fields={"title": "Changed"})
    assert caught.value.messages == [
        "A signed record cannot be changed: draft a correction instead"
    ]
    assert DecisionRecord.objects.get(pk=record.pk).title == RECORD["title"]


@pytest.mark.parametrize("status", [D.AWAITING_APPROVAL, D.AWAITING_SIGNATURE])
def test_decision_update_refuses_a_record_awaiting_a_move(record_in, staff_user, status):
    record = record_in(status)
    with pytest.raises(ValidationError) as caught:
        services.decision_update(record=record, by=staff_user, fields={"title": "Changed"})
    assert caught.value.messages == ["Only a draft can be changed: ask for it to be returned"]
    assert DecisionRecord.objects.get(pk=record.pk).title == RECORD["title"]


def test_decision_update_changes_a_draft(make_record, staff_user):
    record = make_record()
    services.decision_update(
        record=record, by=staff_user, fields={"title": "Knife crime campaign: phase two"}
    )
    assert DecisionRecord.objects.get(pk=record.pk).title == "Knife crime campaign: phase two"


def test_decision_update_refuses_a_field_outside_the_draft(make_record, staff_user):
    record = make_record()
    with pytest.raises(ValueError, match=r"Not editable: \['outcome', 'status'\]"):
        services.decision_update(
            record=record,
            by=staff_user,
            fields={"status": D.PUBLISHED, "outcome": Outcome.APPROVED},
        )
    assert DecisionRecord.objects.get(pk=record.pk).status == D.DRAFT


@pytest.mark.parametrize("status", [D.SIGNED, D.PUBLISHED])
def test_decision_attach_section_b_refuses_a_signed_record(record_in, staff_user, status):
    record = record_in(status)
    with pytest.raises(ValidationError) as caught:
        services.decision_attach_section_b(
            record=record, by=staff_user, uploaded_file=ContentFile(b"new", name="b.txt")
        )
    assert caught.value.messages == ["Only a draft's Section B report can be replaced"]
    assert not DecisionRecord.objects.get(pk=record.pk).section_b


# --- Corrections ---------------------------------------------------------------------------


@pytest.mark.parametrize("status", [D.DRAFT, D.AWAITING_APPROVAL, D.AWAITING_SIGNATURE])
def test_decision_create_correction_of_an_unsigned_record_is_refused(record_in, staff_user, status):
    original = record_in(status)
    with pytest.raises(ValidationError) as caught:
        services.decision_create(by=staff_user, corrects=original, **RECORD)
    assert caught.value.messages == [
        "Only a signed record can be corrected; change the draft instead"
    ]
    assert DecisionRecord.objects.count() == 1


@pytest.mark.parametrize("status", [D.SIGNED, D.PUBLISHED])
def test_decision_create_correction_of_a_signed_record_is_linked(record_in, staff_user, status):
    original = record_in(status)
    # A signed record not yet published is deferred: its correction inherits the deferral.
    deferral = {
        "publication_deferred": original.publication_deferred,
        "deferral_reasons": original.deferral_reasons,
        "deferred_until": original.deferred_until,
    }
    correction = services.decision_create(
        by=staff_user, corrects=original, **{**RECORD, "title": "Correction", **deferral}
    )
    assert (correction.status, correction.corrects, correction.reference) == (
        D.DRAFT,
        original,
        "",
    )
    assert list(original.corrections.all()) == [correction]
    assert DecisionRecord.objects.get(pk=original.pk).status == status


# --- Publication considerations ------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        (
            {"commercially_sensitive": True},
            {
                "sensitivity_reason": ["Say why the material is commercially sensitive"],
                "exemption_basis": ["Give the exemption relied on to withhold it"],
            },
        ),
        (
            {"commercially_sensitive": True, "sensitivity_reason": "Bidders' prices."},
            {"exemption_basis": ["Give the exemption relied on to withhold it"]},
        ),
        (
            {"commercially_sensitive": True, "exemption_basis": "Section 43, FOIA 2000"},
            {"sensitivity_reason": ["Say why the material is commercially sensitive"]},
        ),
        pytest.param(
            {"publication_deferred": True},
            {
                "deferred_until": ["Give the date publication is deferred to"],
                "deferral_reasons": ["Give the reasons publication is deferred"],
            },
        ),
        pytest.param(
            {"publication_deferred": True, "deferral_reasons": "Staff to be consulted."},
            {"deferred_until": ["Give the date publication is deferred to"]},
        ),
        (
            {"publication_deferred": True, "deferred_until": datetime.date(2024, 5, 1)},
            {"deferral_reasons": ["Give the reasons publication is deferred"]},
        ),
    ],
)
def test_decision_create_publication_considerations_need_their_reasons(staff_user, fields, errors):
    with pytest.raises(ValidationError) as caught:
        services.decision_create(by=staff_user, **RECORD, **fields)
    assert caught.value.message_dict == errors
    assert not DecisionRecord.objects.exists()


def test_decision_update_publication_considerations_need_their_reasons(make_record, staff_user):
    record = make_record()
    with pytest.raises(ValidationError) as caught:
        services.decision_update(
            record=record, by=staff_user, fields={"commercially_sensitive": True}
        )
    assert set(caught.value.message_dict) == {"sensitivity_reason", "exemption_basis"}
    assert DecisionRecord.objects.get(pk=record.pk).commercially_sensitive is False


def test_decision_update_deferral_without_a_date_names_the_date(make_record, staff_user):
    record = make_record()
    with pytest.raises(ValidationError) as caught:
        services.decision_update(
            record=record,
            by=staff_user,
            fields={"publication_deferred": True, "deferral_reasons": "Staff to be consulted."},
        )
    assert caught.value.message_dict == {
        "deferred_until": ["Give the date publication is deferred to"]
    }


def test_decision_create_complete_publication_considerations_are_kept(staff_user):
    record = services.decision_create(
        by=staff_user,
        **RECORD,
        commercially_sensitive=True,
        sensitivity_reason="Bidders' prices.",
        exemption_basis="Section 43 (commercial interests), Freedom of Information Act 2000",
        publication_deferred=True,
        deferral_reasons="Staff to be consulted.",
        deferred_until=datetime.date(2024, 5, 1),
    )
    record = DecisionRecord.objects.get(pk=record.pk)
    assert record.withholds_material is True
    assert record.deferred_until == datetime.date(2024, 5, 1)


# --- Round decisions -----------------------------------------------------------------------


def test_decision_create_from_round_fills_section_a(recommended_round, staff_user):
    with frozen(SIGNING_TIME):
        record = services.decision_create_from_round(funding_round=recommended_round, by=staff_user)
    assert record.title == "Violence Prevention Fund: Grants round youth-violence-2025: awards"
    assert record.received_on == datetime.date(2024, 3, 28)
    opens, closes = (
        timezone.localtime(t) for t in (recommended_round.opens_at, recommended_round.closes_at)
    )
    start, end = recommended_round.delivery_starts_on, recommended_round.delivery_ends_on
    assert record.section_a == (
        "Background\n"
        "\n"
        "The Police and Crime Commissioner invited bids to the Violence Prevention Fund "
        f"(Grants round youth-violence-2025) from {opens:%-d %B %Y} to {closes:%-d %B %Y}, "
        f"with a budget of £10,000 for projects delivered between {start:%-d %B %Y} and "
        f"{end:%-d %B %Y}. 3 applications were received.\n"
        "\n"
        "A multi-agency panel drawn from County Durham Public Health, Durham Constabulary, "
        "Durham County Council scored the eligible applications against the published "
        "criteria: Need and the local evidence (weight 60); Multi-agency delivery (weight 40).\n"
        "\n"
        "The request\n"
        "\n"
        "The Commissioner is asked to approve the awards in the schedule of awards of this "
        "record, with their conditions, and to decline the applications it lists as not "
        "recommended."
    )
    # Nothing of the round's call-for-bids blurb is copied into the formal record.
    assert recommended_round.description not in record.section_a
    # No amounts in Section A: the schedule, fixed at submission, is the only list of them.
    assert "£4,800" not in record.section_a
    assert record.funding_round == recommended_round
    assert sorted(record.applications.values_list("reference", flat=True)) == [
        "YV1-0001",
        "YV1-0002",
        "YV1-0003",
    ]
    assert record.status == D.DRAFT


def test_decision_create_from_round_without_recommendations_is_refused(
    funding_round, panel, staff_user
):
    with pytest.raises(ValidationError) as caught:
        services.decision_create_from_round(funding_round=funding_round, by=staff_user)
    assert caught.value.messages == ["The round has no recommended applications to decide on"]
    assert not DecisionRecord.objects.exists()


def sign_round(record, *, staff_user, ceo_user, pcc_user, outcome):
    record = services.decision_submit(record=record, by=staff_user)
    record = services.decision_approve(
        record=record, by=ceo_user, advice_confirmed=True, name="Helen Carter"
    )
    return services.decision_sign(
        record=record, by=pcc_user, outcome=outcome, declaration="None", password=PASSWORD
    )


def test_decision_sign_approved_round_awards_the_recommended(
    recommended_round, staff_user, ceo_user, pcc_user
):
    record = services.decision_create_from_round(funding_round=recommended_round, by=staff_user)
    record = sign_round(
        record, staff_user=staff_user, ceo_user=ceo_user, pcc_user=pcc_user, outcome="approved"
    )
    applications = Application.objects.filter(round=recommended_round).order_by("reference")
    assert [(a.reference, a.status, a.awarded_amount) for a in applications] == [
        ("YV1-0001", ApplicationStatus.AWARDED, Decimal("4800.00")),
        ("YV1-0002", ApplicationStatus.AWARDED, Decimal("3000.00")),
        ("YV1-0003", ApplicationStatus.DECLINED, None),
    ]
    assert all(a.awarded_amount == a.moderation.recommended_amount for a in applications[:2])
    recommended_round.refresh_from_db()
    assert recommended_round.status == RoundStatus.DECIDED
    reason = f"PCC decision {record.reference}: approved"
    assert sorted(
        ApplicationStatusChange.objects.filter(
            application__round=recommended_round, reason=reason
        ).values_list("application__reference", "to_status", "changed_by__email")
    ) == [
        ("YV1-0001", ApplicationStatus.AWARDED, "pcc@example.org"),
        ("YV1-0002", ApplicationStatus.AWARDED, "pcc@example.org"),
        ("YV1-0003", ApplicationStatus.DECLINED, "pcc@example.org"),
    ]
    assert record.status == D.PUBLISHED


def test_decision_sign_not_approved_round_declines_all(
    recommended_round, staff_user, ceo_user, pcc_user
):
    record = services.decision_create_from_round(funding_round=recommended_round, by=staff_user)
    sign_round(
        record,
        staff_user=staff_user,
        ceo_user=ceo_user,
        pcc_user=pcc_user,
        outcome=Outcome.NOT_APPROVED,
    )
    assert list(
        Application.objects.filter(round=recommended_round)
        .order_by("reference")
        .values_list("reference", "status", "awarded_amount")
    ) == [
        ("YV1-0001", ApplicationStatus.DECLINED, None),
        ("YV1-0002", ApplicationStatus.DECLINED, None),
        ("YV1-0003", ApplicationStatus.DECLINED, None),
    ]
    recommended_round.refresh_from_db()
    assert recommended_round.status == RoundStatus.DECIDED


def test_decision_sign_wrong_password_leaves_the_round_undecided(
    recommended_round, staff_user, ceo_user, pcc_user
):
    record = services.decision_create_from_round(funding_round=recommended_round, by=staff_user)
    record = services.decision_submit(record=record, by=staff_user)
    record = services.decision_approve(
        record=record, by=ceo_user, advice_confirmed=True, name="Helen Carter"
    )
    with pytest.raises(ValidationError):
        services.decision_sign(
            record=record, by=pcc_user, outcome="approved", declaration="None", password="wrong"
        )
    assert (
        sorted(Application.objects.filter(round=recommended_round).values_list("status", flat=True))
        == [ApplicationStatus.NOT_RECOMMENDED] + [ApplicationStatus.RECOMMENDED] * 2
    )
    recommended_round.refresh_from_db()
    assert recommended_round.status == RoundStatus.ASSESSMENT


def test_decision_sign_round_emails_applicants_after_commit(
    recommended_round,
    applicant_org,
    staff_user,
    ceo_user,
    pcc_user,
    eager_celery,
    django_capture_on_commit_callbacks,
):
    MembershipFactory(user=UserFactory(email="trust@example.org"), organisation=applicant_org)
    record = services.decision_create_from_round(funding_round=recommended_round, by=staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        sign_round(
            record, staff_user=staff_user, ceo_user=ceo_user, pcc_user=pcc_user, outcome="approved"
        )
        assert mail.outbox == []  # nothing goes before the transaction commits
    assert sorted((m.subject, tuple(m.to)) for m in mail.outbox) == [
        ("Your application YV1-0001 is now: awarded", ("trust@example.org",)),
        ("Your application YV1-0002 is now: awarded", ("trust@example.org",)),
        ("Your application YV1-0003 is now: declined", ("trust@example.org",)),
    ]


# --- Scheduled publication -----------------------------------------------------------------


def make_deferred(make_record, until):
    return make_record(D.SIGNED, **DEFERRAL, deferred_until=until)


def test_decisions_publish_due_waits_for_the_date(make_record, future_day):
    record = make_deferred(make_record, future_day)
    assert services.decisions_publish_due(today=future_day - datetime.timedelta(days=1)) == []
    assert DecisionRecord.objects.get(pk=record.pk).status == D.SIGNED


def test_decisions_publish_due_publishes_on_the_date(make_record, future_day):
    record = make_deferred(make_record, future_day)
    moment = datetime.datetime.combine(future_day, datetime.time(9), tzinfo=UTC)
    with frozen(moment):
        assert services.decisions_publish_due(today=future_day) == [record.reference]
    record = DecisionRecord.objects.get(pk=record.pk)
    assert (record.status, record.published_at) == (D.PUBLISHED, moment)
    assert record.search_vector is not None


def test_decisions_publish_due_twice_publishes_once(make_record, future_day):
    record = make_deferred(make_record, future_day)
    assert services.decisions_publish_due(today=future_day) == [record.reference]
    published_at = DecisionRecord.objects.get(pk=record.pk).published_at
    assert services.decisions_publish_due(today=future_day) == []
    assert DecisionRecord.objects.get(pk=record.pk).published_at == published_at
    assert DecisionStatusChange.objects.filter(record=record, to_status=D.PUBLISHED).count() == 1


def test_decisions_publish_due_catches_up_after_downtime(make_record, future_day):
    days = [future_day + datetime.timedelta(days=n) for n in (0, 3, 7, 30)]
    records = [make_deferred(make_record, day) for day in days]
    # The task did not run for ten days: the three that fell due meanwhile go out together.
    today = future_day + datetime.timedelta(days=10)
    assert services.decisions_publish_due(today=today) == [r.reference for r in records[:3]]
    assert list(
        DecisionRecord.objects.filter(pk__in=[r.pk for r in records])
        .order_by("pk")
        .values_list("status", flat=True)
    ) == [D.PUBLISHED, D.PUBLISHED, D.PUBLISHED, D.SIGNED]


def test_decisions_publish_due_leaves_other_statuses_alone(record_in, future_day):
    # Deferred to a date that has come, but not signed: the date alone publishes nothing.
    deferred = {**DEFERRAL, "deferred_until": future_day}
    records = [
        record_in(s, **deferred) for s in (D.DRAFT, D.AWAITING_APPROVAL, D.AWAITING_SIGNATURE)
    ]
    assert services.decisions_publish_due(today=future_day + datetime.timedelta(days=365)) == []
    assert [DecisionRecord.objects.get(pk=r.pk).status for r in records] == [
        D.DRAFT,
        D.AWAITING_APPROVAL,
        D.AWAITING_SIGNATURE,
    ]


def test_decisions_publish_due_defaults_to_today(make_record, future_day):
    record = make_deferred(make_record, future_day)
    assert services.decisions_publish_due() == []
    with frozen(datetime.datetime.combine(future_day, datetime.time(0, 30), tzinfo=UTC)):
        assert services.decisions_publish_due() == [record.reference]
    assert timezone.localdate() < future_day
