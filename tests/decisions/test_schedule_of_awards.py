"""The PCC's signature fixes the awards. A round decision carries its own schedule of awards,
fixed from the panel's moderation when it is sent for officer approval; signing awards
exactly those rows with exactly those amounts, declines exactly the others, and changes
nothing else. While the record is under way the round's moderation cannot change."""

import subprocess
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from decisions import documents, services
from decisions.enums import DecisionStatus as D
from decisions.enums import Outcome
from decisions.models import DecisionRecord
from grants import services as grant_services
from grants.enums import ApplicationStatus, Recommendation
from grants.models import Application, FundingRound, Moderation, Scorecard
from tests.factories.partners import PASSWORD

HOLD = (
    "Decision record {reference} holds this round's recommendations while it is approved "
    "and signed: ask for it to be returned to draft to change them"
)


@pytest.fixture
def submitted(recommended_round, staff_user):
    """The round's decision, drafted from its recommendations and sent for approval."""
    record = services.decision_create_from_round(funding_round=recommended_round, by=staff_user)
    return services.decision_submit(record=record, by=staff_user)


@pytest.fixture
def awaiting_signature(submitted, ceo_user):
    return services.decision_approve(
        record=submitted, by=ceo_user, advice_confirmed=True, name="Helen Carter"
    )


def sign(record, pcc_user, outcome=Outcome.APPROVED):
    return services.decision_sign(
        record=record, by=pcc_user, outcome=outcome, declaration="None", password=PASSWORD
    )


def statuses(funding_round):
    return list(
        Application.objects.filter(round=funding_round)
        .order_by("reference")
        .values_list("reference", "status", "awarded_amount")
    )


def moderation_post(funding_round, amount, recommendation="fund", conditions=""):
    data = {f"score_{c.pk}": "4" for c in funding_round.criteria.all()}
    data.update(
        rationale="Changed after the record was drafted.",
        recommendation=recommendation,
        conditions=conditions,
        recommended_amount=amount,
        # Some members' scorecards are outstanding here: record regardless.
        confirm_outstanding="on",
    )
    return data


def test_submit_fixes_the_schedule_from_the_moderation(submitted, recommended_round):
    assert list(
        submitted.scheduled_awards.order_by("position").values_list(
            "position",
            "reference",
            "organisation_name",
            "title",
            "recommended",
            "amount",
            "conditions",
        )
    ) == [
        (
            1,
            "YV1-0001",
            "Darlington Youth Mentoring Trust",
            "Mentoring for young people at risk",
            True,
            Decimal("4800.00"),
            "",
        ),
        (
            2,
            "YV1-0002",
            "Darlington Youth Mentoring Trust",
            "Healthy relationships in schools",
            True,
            Decimal("3000.00"),
            "Safeguarding training first.",
        ),
        (
            3,
            "YV1-0003",
            "Darlington Youth Mentoring Trust",
            "Boxing after school",
            False,
            Decimal("0.00"),
            "",
        ),
    ]
    assert submitted.schedule_total == Decimal("7800.00")
    recommended_round.refresh_from_db()
    assert recommended_round.decision_hold == submitted.reference
    assert sorted(submitted.applications.values_list("reference", flat=True)) == [
        "YV1-0001",
        "YV1-0002",
        "YV1-0003",
    ]


def test_moderation_change_while_the_record_is_under_way_is_refused_over_http(
    submitted, recommended_round, chair_user
):
    client = Client()
    client.force_login(chair_user)
    response = client.post(
        f"/panel/{recommended_round.slug}/applications/YV1-0002/moderate/",
        moderation_post(recommended_round, "1500"),
    )
    assert response.status_code == 200
    assert HOLD.format(reference=submitted.reference) in response.content.decode().replace(
        "&#x27;", "'"
    )
    assert Moderation.objects.get(application__reference="YV1-0002").recommended_amount == Decimal(
        "3000.00"
    )


@pytest.mark.parametrize("status", [D.AWAITING_APPROVAL, D.AWAITING_SIGNATURE])
def test_moderation_service_refused_while_held_whoever_asks(
    submitted, awaiting_signature, recommended_round, staff_user, status
):
    record = submitted if status == D.AWAITING_APPROVAL else awaiting_signature
    application = Application.objects.get(reference="YV1-0003")
    criteria = list(recommended_round.criteria.all())
    with pytest.raises(ValidationError) as caught:
        grant_services.moderation_record(
            application=application,
            by=staff_user,
            scores={c.pk: 5 for c in criteria},
            rationale="Late change",
            recommendation=Recommendation.FUND,
            recommended_amount=Decimal("1000"),
        )
    assert caught.value.messages == [HOLD.format(reference=record.reference)]
    application.refresh_from_db()
    assert application.status == ApplicationStatus.NOT_RECOMMENDED


def test_reopening_a_scorecard_while_held_is_refused(submitted, chair_user):
    scorecard = Scorecard.objects.filter(application__reference="YV1-0001").first()
    with pytest.raises(ValidationError) as caught:
        grant_services.scorecard_reopen(scorecard=scorecard, by=chair_user, reason="Recount")
    assert caught.value.messages == [HOLD.format(reference=submitted.reference)]
    scorecard.refresh_from_db()
    assert scorecard.status == "submitted"


def test_returning_the_record_to_draft_releases_the_round(
    submitted, recommended_round, ceo_user, moderate, staff_user
):
    record = services.decision_return(record=submitted, by=ceo_user, comments="Recheck YV1-0002")
    recommended_round.refresh_from_db()
    assert (record.status, recommended_round.decision_hold) == (D.DRAFT, "")
    assert record.scheduled_awards.count() == 0
    # Moderation can change again, and the next submission fixes the new figures.
    moderate(Application.objects.get(reference="YV1-0002"), Decimal("2500"), by=staff_user)
    record = services.decision_submit(record=record, by=staff_user)
    assert record.scheduled_awards.get(reference="YV1-0002").amount == Decimal("2500.00")


def test_signing_awards_exactly_the_schedule_whatever_the_moderation_says_now(
    awaiting_signature, recommended_round, pcc_user, make_application
):
    # Behind the services' backs: the moderation is changed after the schedule was fixed,
    # and another application is marked recommended. Neither is what the PCC signs.
    Moderation.objects.filter(application__reference="YV1-0001").update(
        recommended_amount=Decimal("6000")
    )
    late = make_application("Late bid", amount=Decimal("900"))
    Application.objects.filter(pk=late.pk).update(status=ApplicationStatus.RECOMMENDED)

    record = sign(awaiting_signature, pcc_user)

    assert record.status == D.PUBLISHED
    assert statuses(recommended_round) == [
        ("YV1-0001", ApplicationStatus.AWARDED, Decimal("4800.00")),
        ("YV1-0002", ApplicationStatus.AWARDED, Decimal("3000.00")),
        ("YV1-0003", ApplicationStatus.DECLINED, None),
        ("YV1-0004", ApplicationStatus.RECOMMENDED, None),
    ]
    recommended_round.refresh_from_db()
    assert recommended_round.decision_hold == ""


def test_not_approved_declines_exactly_the_schedule(
    awaiting_signature, recommended_round, pcc_user, make_application
):
    pending = make_application("Still in assessment", amount=Decimal("900"))
    sign(awaiting_signature, pcc_user, outcome=Outcome.NOT_APPROVED)
    assert statuses(recommended_round) == [
        ("YV1-0001", ApplicationStatus.DECLINED, None),
        ("YV1-0002", ApplicationStatus.DECLINED, None),
        ("YV1-0003", ApplicationStatus.DECLINED, None),
        (pending.reference, ApplicationStatus.UNDER_ASSESSMENT, None),
    ]


def test_an_application_withdrawn_after_the_schedule_was_fixed_stops_the_signing(
    awaiting_signature, recommended_round, pcc_user
):
    Application.objects.filter(reference="YV1-0002").update(status=ApplicationStatus.WITHDRAWN)
    with pytest.raises(ValidationError) as caught:
        sign(awaiting_signature, pcc_user)
    assert caught.value.messages == [
        "The schedule of awards no longer matches the applications (YV1-0002 changed since it "
        "was fixed): return the record to draft so that it can be fixed again"
    ]
    record = DecisionRecord.objects.get(pk=awaiting_signature.pk)
    assert (record.status, record.signed_at) == (D.AWAITING_SIGNATURE, None)
    assert statuses(recommended_round)[0] == ("YV1-0001", ApplicationStatus.RECOMMENDED, None)


def test_the_pcc_is_told_before_signing_that_the_schedule_no_longer_matches(
    awaiting_signature, pcc_user
):
    page = Client()
    page.force_login(pcc_user)
    url = f"/staff/decisions/{awaiting_signature.pk}/"
    assert "no longer matches" not in page.get(url).content.decode()
    Application.objects.filter(reference="YV1-0002").update(status=ApplicationStatus.WITHDRAWN)
    assert (
        "The schedule of awards no longer matches the applications: YV1-0002 changed since it "
        "was fixed."
    ) in page.get(url).content.decode()


def test_a_round_record_with_no_schedule_cannot_be_signed(awaiting_signature, pcc_user):
    # A record sent before schedules existed: it must go back and be fixed, not sign blind.
    awaiting_signature.scheduled_awards.all().delete()
    with pytest.raises(ValidationError) as caught:
        sign(awaiting_signature, pcc_user)
    assert caught.value.messages == [
        "This round decision has no schedule of awards: return it to draft and submit it "
        "again so that the schedule is fixed"
    ]
    assert DecisionRecord.objects.get(pk=awaiting_signature.pk).status == D.AWAITING_SIGNATURE


def test_recommending_without_a_submitted_scorecard_is_refused_over_http(
    funding_round, panel, chair_user, make_application
):
    application = make_application("Unscored bid", amount=Decimal("2000"))
    client = Client()
    client.force_login(chair_user)
    response = client.post(
        f"/panel/{funding_round.slug}/applications/{application.reference}/moderate/",
        moderation_post(funding_round, "2000"),
    )
    assert response.status_code == 200
    assert (
        "No member has submitted a scorecard for this application: it cannot be recommended "
        "for funding until one has"
    ) in response.content.decode()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.UNDER_ASSESSMENT
    assert not Moderation.objects.filter(application=application).exists()


def test_submit_refuses_a_recommendation_with_no_submitted_scorecard(recommended_round, staff_user):
    # A scorecard reopened after moderation leaves the recommendation with no evidence.
    Scorecard.objects.filter(application__reference="YV1-0002").update(
        status="draft", submitted_at=None, total=None
    )
    record = services.decision_create_from_round(funding_round=recommended_round, by=staff_user)
    with pytest.raises(ValidationError) as caught:
        services.decision_submit(record=record, by=staff_user)
    assert caught.value.messages == [
        "YV1-0002 is recommended but has no submitted scorecard: it cannot be recommended "
        "until a member's scores are in"
    ]
    record.refresh_from_db()
    assert (record.status, record.reference, record.scheduled_awards.count()) == (D.DRAFT, "", 0)
    assert FundingRound.objects.get(pk=recommended_round.pk).decision_hold == ""


def test_the_schedule_shows_on_the_register_the_staff_page_and_in_the_pdf(
    awaiting_signature, pcc_user, staff_user, tmp_path
):
    record = sign(awaiting_signature, pcc_user)

    public = Client().get(f"/decisions/{record.reference}/").content.decode()
    staff = Client()
    staff.force_login(staff_user)
    staff_page = staff.get(f"/staff/decisions/{record.pk}/").content.decode()
    pdf = tmp_path / "record.pdf"
    pdf.write_bytes(documents.render_pdf(DecisionRecord.objects.get(pk=record.pk)))
    pdf_text = " ".join(
        subprocess.run(
            ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout.split()
    )
    for text in (public, staff_page):
        assert "Schedule of awards" in text
        assert "YV1-0001: Mentoring for young people at risk" in text
        assert "£4,800" in text and "£3,000" in text and "£7,800" in text
        assert "Safeguarding training first." in text
        assert "Not recommended" in text
        assert "YV1-0003: Boxing after school (Darlington Youth Mentoring Trust)" in text
    # The PDF's table wraps its cells, so its text is read in pieces, in order.
    schedule = pdf_text[pdf_text.index("Schedule of awards") : pdf_text.index("Decision Approved")]
    pieces = ["YV1-0001:", "£4,800", "YV1-0002:", "£3,000", "Safeguarding", "Total £7,800"]
    positions = [schedule.index(piece) for piece in pieces]
    assert positions == sorted(positions)
    assert schedule.endswith(
        "Not recommended • YV1-0003: Boxing after school (Darlington Youth Mentoring Trust) "
    )
