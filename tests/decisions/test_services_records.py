"""decisions.services.records: the lock on signed records, corrections, what publication
must consider, and drafting the decision on a round."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone

from decisions import services
from decisions.enums import DecisionStatus, Outcome
from decisions.models import DecisionRecord
from grants.enums import ApplicationStatus, RoundStatus
from grants.models import Application, ApplicationStatusChange
from tests.factories import MembershipFactory, UserFactory
from tests.factories.partners import PASSWORD

from .conftest import RECORD
from .helpers import frozen

D = DecisionStatus
UTC = datetime.UTC
# 28 March 2024, 15:00 in London (GMT, so 15:00 UTC): the day DN50-24 was signed.
SIGNING_TIME = datetime.datetime(2024, 3, 28, 15, 0, tzinfo=UTC)


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
