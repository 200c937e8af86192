"""grants.views.applications through HTTP: starting, editing the sections, submitting and
withdrawing an application."""

import datetime
from decimal import Decimal

from django.utils import timezone

from grants.enums import ApplicationStatus, Channel
from grants.models import Application, ApplicationStatusChange, FundingRound
from tests.factories import (
    ApplicationFactory,
    BudgetLineFactory,
    FundingRoundFactory,
    MembershipFactory,
    OrganisationFactory,
    complete_application,
)
from tests.factories.grants import EvidenceStrandFactory
from tests.grants.helpers import last_change, on_page, page_text, snapshot, submitted

S = ApplicationStatus


def _late(funding_round):
    FundingRound.objects.filter(pk=funding_round.pk).update(
        opens_at=timezone.now() - datetime.timedelta(days=30),
        closes_at=timezone.now() - datetime.timedelta(minutes=1),
    )


# --- Submission through the form -----------------------------------------------------------


def test_submit_late_400_with_the_message_and_still_a_draft(provider_client, draft):
    application = complete_application(draft)
    _late(application.round)
    before = snapshot(application)

    response = provider_client.post(f"/applications/{application.reference}/submit/")

    assert response.status_code == 400
    assert response.context["problems"] == [
        ("The round is not open for applications: the closing time has passed", None)
    ]
    assert on_page(response, "The round is not open for applications: the closing time has passed")
    assert on_page(response, "The application was not submitted")
    assert snapshot(application) == before
    assert Application.objects.get(pk=application.pk).status == S.DRAFT


def test_submit_over_the_unregistered_cap_400_and_nothing_changes(provider_client, draft):
    application = complete_application(draft, amount=Decimal("6000"))
    before = snapshot(application)

    response = provider_client.post(f"/applications/{application.reference}/submit/")

    assert response.status_code == 400
    message = (
        "The most an unregistered organisation can ask for is £5,000; your budget comes to £6,000"
    )
    budget = f"/applications/{application.reference}/budget/?return=check"
    assert response.context["problems"] == [(message, budget)]
    assert f'<a href="{budget}">{message}</a>' in response.content.decode()
    assert snapshot(application) == before


def test_submit_page_get_lists_the_problems_before_submitting(provider_client, draft):
    response = provider_client.get(f"/applications/{draft.reference}/submit/")

    assert response.status_code == 200
    assert on_page(response, "Before you can submit")
    assert on_page(response, "Complete the section ‘About the project’")


def test_submit_twice_makes_one_submission(provider_client, draft, provider_user):
    application = complete_application(draft)
    url = f"/applications/{application.reference}/submit/"

    first = provider_client.post(url)
    second = provider_client.post(url)

    assert first.status_code == 302
    assert first.url == f"/applications/{application.reference}/receipt/"
    assert second.status_code == 302
    assert second.url == f"/applications/{application.reference}/"
    changes = ApplicationStatusChange.objects.filter(application=application)
    assert list(changes.values_list("from_status", "to_status", "changed_by")) == [
        (S.DRAFT, S.SUBMITTED, provider_user.pk)
    ]
    application.refresh_from_db()
    assert (application.status, application.submitted_by) == (S.SUBMITTED, provider_user)
    receipt = provider_client.get(first.url)
    assert "Application submitted" in page_text(receipt)
    assert application.reference in page_text(receipt)


def test_submit_staff_logged_bid_with_received_time_before_closing(
    staff_client, provider_org, staff_user
):
    closes_at = timezone.localtime(timezone.now() - datetime.timedelta(hours=1)).replace(
        second=0, microsecond=0
    )
    past = FundingRoundFactory(
        opens_at=closes_at - datetime.timedelta(days=30), closes_at=closes_at
    )
    response = staff_client.post(
        f"/staff/rounds/{past.slug}/log-bid/",
        {
            "organisation": provider_org.pk,
            "channel": "paper",
            "title": "Paper bid",
            "contact_name": "Sam Hall",
            "contact_address": "12 Front Street\nDurham",
        },
    )
    bid = Application.objects.get()
    assert response.status_code == 302
    assert response.url == f"/applications/{bid.reference}/"
    assert (bid.channel, bid.created_by, bid.status) == (Channel.PAPER, staff_user, S.DRAFT)
    complete_application(bid)
    received_at = closes_at - datetime.timedelta(minutes=30)

    missing = staff_client.post(f"/applications/{bid.reference}/submit/", {})
    submitted = staff_client.post(
        f"/applications/{bid.reference}/submit/",
        {"received_at": received_at.strftime("%Y-%m-%dT%H:%M")},
    )

    assert missing.status_code == 400
    assert missing.context["problems"] == [("Enter when the bid was received", None)]
    assert submitted.status_code == 302
    bid.refresh_from_db()
    assert (bid.status, bid.submitted_at, bid.submitted_by) == (
        S.SUBMITTED,
        received_at,
        staff_user,
    )


def test_submit_staff_logged_bid_provider_cannot_backdate_it(provider_client, provider_org):
    closes_at = timezone.localtime(timezone.now() - datetime.timedelta(days=2))
    past = FundingRoundFactory(
        opens_at=closes_at - datetime.timedelta(days=30), closes_at=closes_at
    )
    bid = complete_application(
        ApplicationFactory(round=past, organisation=provider_org, channel=Channel.EMAIL)
    )

    provider_client.post(
        f"/applications/{bid.reference}/submit/",
        {"received_at": (closes_at - datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")},
    )

    assert Application.objects.get(pk=bid.pk).status == S.DRAFT


# --- Starting -------------------------------------------------------------------------------


def test_start_through_the_form(provider_client, provider_org, provider_user, open_round):
    response = provider_client.post(
        f"/funding/{open_round.slug}/apply/",
        {"organisation": provider_org.pk, "title": "Street sport"},
    )

    application = Application.objects.get()
    assert response.status_code == 302
    assert response.url == f"/applications/{application.reference}/"
    assert (application.reference, application.organisation, application.created_by) == (
        "VPF-0001",
        provider_org,
        provider_user,
    )


def test_start_for_an_organisation_i_do_not_belong_to_refused(
    provider_client, other_user, open_round
):
    response = provider_client.post(
        f"/funding/{open_round.slug}/apply/",
        {"organisation": other_user.memberships.get().organisation_id, "title": "Not mine"},
    )

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["organisation"]
    assert Application.objects.count() == 0


def test_start_unverified_organisation_shows_the_message(client, open_round):
    membership = MembershipFactory(organisation=OrganisationFactory(name="New Group", pending=True))
    client.force_login(membership.user)

    response = client.post(
        f"/funding/{open_round.slug}/apply/",
        {"organisation": membership.organisation_id, "title": "Project"},
    )

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "New Group must be verified by OPCC staff before it can apply"
    ]
    assert Application.objects.count() == 0


def test_start_closed_round_shows_the_message(provider_client, provider_org, open_round):
    _late(open_round)

    response = provider_client.post(
        f"/funding/{open_round.slug}/apply/",
        {"organisation": provider_org.pk, "title": "Late"},
    )

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "This round is not open for applications"
    ]
    assert Application.objects.count() == 0


# --- Sections ------------------------------------------------------------------------------


def test_section_over_the_word_limit_shows_the_error_and_keeps_the_text(provider_client, draft):
    summary = " ".join(f"sessions{n}" for n in range(151))
    before = snapshot(draft)

    response = provider_client.post(
        f"/applications/{draft.reference}/project/",
        {
            "title": "Street sport on the seafront",
            "summary": summary,
            "description": "Friday sessions",
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"summary": ["Use 150 words or fewer (you have 151)"]}
    assert on_page(response, "Use 150 words or fewer (you have 151)")
    assert summary in page_text(response)
    assert "Friday sessions" in page_text(response)
    assert snapshot(draft) == before


def test_section_saves_a_draft_and_the_amount_is_not_typed_there(provider_client, draft):
    response = provider_client.post(
        f"/applications/{draft.reference}/project/",
        {
            "title": "Street sport",
            "summary": "Sport",
            "description": "Friday sessions",
            "amount_requested": "£4,500.50",
        },
    )

    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.title, draft.summary, draft.amount_requested) == ("Street sport", "Sport", None)


def test_section_priority_the_round_does_not_fund_refused(provider_client, draft):
    unfunded = FundingRoundFactory(priorities=None)
    other = complete_application(ApplicationFactory(round=unfunded)).priorities.get()

    response = provider_client.post(
        f"/applications/{draft.reference}/priorities/", {"priorities": [other.pk]}
    )

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["priorities"]
    assert draft.priorities.count() == 0


def test_section_evidence_strand_saved(provider_client, draft):
    strand = EvidenceStrandFactory(name="Mentoring")

    response = provider_client.post(
        f"/applications/{draft.reference}/evidence/",
        {"evidence_strand": strand.pk, "evidence_other": "", "evidence_description": "Works"},
    )

    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.evidence_strand, draft.evidence_description) == (strand, "Works")


def test_budget_line_added_through_the_form(provider_client, draft):
    response = provider_client.post(
        f"/applications/{draft.reference}/budget/",
        {
            "item": "Youth worker",
            "financial_year": "2025-26",
            "cost_kind": "labour",
            "amount": "£1,250.50",
        },
    )

    assert response.status_code == 302
    assert list(
        draft.budget_lines.values_list("item", "financial_year", "cost_kind", "amount")
    ) == [("Youth worker", "2025-26", "labour", Decimal("1250.50"))]


def test_budget_line_beyond_the_cap_refused_on_the_budget_page(provider_client, draft):
    BudgetLineFactory(application=draft, item="Coach", amount=Decimal("4000"))
    before = snapshot(draft)
    response = provider_client.post(
        f"/applications/{draft.reference}/budget/",
        {
            "item": "Hall",
            "financial_year": "2025-26",
            "cost_kind": "non_labour",
            "amount": "1000.01",
        },
    )

    assert response.status_code == 200
    message = (
        "The most an unregistered organisation can ask for is £5,000: with this line the "
        "budget would come to £5,000.01"
    )
    assert response.context["form"].errors == {"amount": [message]}
    assert on_page(response, message)
    assert on_page(response, "An unregistered organisation can ask for up to £5,000.")
    assert snapshot(draft) == before


def test_budget_line_financial_year_outside_delivery_refused(provider_client, draft):
    response = provider_client.post(
        f"/applications/{draft.reference}/budget/",
        {
            "item": "Youth worker",
            "financial_year": "2019-20",
            "cost_kind": "labour",
            "amount": "100",
        },
    )

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["financial_year"]
    assert draft.budget_lines.count() == 0


# --- Withdrawal ---------------------------------------------------------------------------------


def test_withdraw_through_the_form(provider_client, provider_user, draft):
    application = submitted(draft)

    response = provider_client.post(
        f"/applications/{application.reference}/withdraw/", {"reason": "Funded elsewhere"}
    )

    assert response.status_code == 302
    assert response.url == f"/applications/{application.reference}/"
    application.refresh_from_db()
    assert application.status == S.WITHDRAWN
    assert last_change(application) == (
        S.SUBMITTED,
        S.WITHDRAWN,
        provider_user,
        "Funded elsewhere",
    )


def test_withdraw_a_draft_through_the_form(provider_client, draft):
    response = provider_client.post(f"/applications/{draft.reference}/withdraw/", {"reason": ""})

    assert response.status_code == 302
    assert Application.objects.get(pk=draft.pk).status == S.WITHDRAWN


def test_withdraw_staff_refused(second_staff_client, draft):
    application = submitted(draft)

    response = second_staff_client.post(f"/applications/{application.reference}/withdraw/")

    assert response.status_code == 403
    assert Application.objects.get(pk=application.pk).status == S.SUBMITTED


def test_withdraw_awarded_application_refused(provider_client, draft):
    Application.objects.filter(pk=draft.pk).update(status=S.AWARDED, submitted_at=timezone.now())

    response = provider_client.post(f"/applications/{draft.reference}/withdraw/")

    assert response.status_code == 403
    assert Application.objects.get(pk=draft.pk).status == S.AWARDED
