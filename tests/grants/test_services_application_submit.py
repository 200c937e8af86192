"""grants.services.application_workflow: submitting an application, by the applicant or as a
logged bid, and every refusal leaving the draft as it was."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from grants import services
from grants.enums import (
    ApplicationStatus,
    CapCategory,
    Channel,
    RoundStatus,
)
from grants.models import (
    Application,
    ApplicationStatusChange,
    FundingRound,
)
from tests.factories import (
    ApplicationFactory,
    FundingRoundFactory,
    OrganisationFactory,
    complete_application,
)
from tests.grants.helpers import member_of, snapshot
from tests.on_commit import queued_work

S = ApplicationStatus
R = RoundStatus


# --- Submission -----------------------------------------------------------------------


def test_application_submit_complete_draft_is_submitted(draft, provider_user):
    application = complete_application(draft)
    before = timezone.now()

    submitted = services.application_submit(application=application, by=provider_user)

    submitted = Application.objects.get(pk=submitted.pk)
    assert submitted.status == S.SUBMITTED
    assert submitted.submitted_by == provider_user
    assert before <= submitted.submitted_at <= timezone.now()
    change = submitted.status_changes.get()
    assert (change.from_status, change.to_status, change.changed_by, change.reason) == (
        S.DRAFT,
        S.SUBMITTED,
        provider_user,
        "",
    )


def test_application_submit_queues_the_receipt_on_commit(
    draft, provider_user, django_capture_on_commit_callbacks, eager_celery
):
    application = complete_application(draft)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.application_submit(application=application, by=provider_user)

    assert len(queued_work(callbacks)) == 1
    assert mail.outbox == []
    queued_work(callbacks)[0]()
    assert [m.subject for m in mail.outbox] == ["Application received: VPF-0001"]
    assert "Amount requested: £4,500" in mail.outbox[0].body


def test_application_submit_late_refused(provider_org, provider_user):
    late_round = FundingRoundFactory(
        opens_at=timezone.now() - datetime.timedelta(days=30),
        closes_at=timezone.now() - datetime.timedelta(minutes=1),
    )
    application = complete_application(
        ApplicationFactory(round=late_round, organisation=provider_org)
    )

    with pytest.raises(ValidationError) as exc:
        services.application_submit(application=application, by=provider_user)

    assert exc.value.messages == [
        "The round is not open for applications: the closing time has passed"
    ]
    assert Application.objects.get(pk=application.pk).status == S.DRAFT


def test_application_submit_over_the_unregistered_cap_refused(draft, provider_user):
    application = complete_application(draft, amount=Decimal("5000.01"))

    with pytest.raises(ValidationError) as exc:
        services.application_submit(application=application, by=provider_user)

    assert exc.value.messages == [
        "The most an unregistered organisation can ask for is £5,000; your budget comes to £5,000.01"
    ]
    assert Application.objects.get(pk=application.pk).status == S.DRAFT


def test_application_submit_exactly_the_unregistered_cap_accepted(draft, provider_user):
    application = complete_application(draft, amount=Decimal("5000.00"))

    services.application_submit(application=application, by=provider_user)

    application = Application.objects.get(pk=application.pk)
    assert application.status == S.SUBMITTED
    assert application.amount_requested == Decimal("5000.00")


def test_application_submit_registered_organisation_may_ask_for_40000(open_round):
    charity = OrganisationFactory(charity=True)
    application = complete_application(
        ApplicationFactory(round=open_round, organisation=charity),
        amount=Decimal("40000.00"),
    )

    services.application_submit(application=application, by=member_of(charity))

    assert Application.objects.get(pk=application.pk).status == S.SUBMITTED


def test_application_submit_registered_over_40000_refused(open_round):
    company = OrganisationFactory(company=True)
    application = complete_application(
        ApplicationFactory(round=open_round, organisation=company),
        amount=Decimal("40000.50"),
    )

    with pytest.raises(ValidationError) as exc:
        services.application_submit(application=application, by=member_of(company))

    assert exc.value.messages == [
        "The most a registered organisation can ask for is £40,000; your budget comes to £40,000.50"
    ]


def test_application_submit_below_the_minimum_refused(provider_org, provider_user):
    with_minimum = FundingRoundFactory(
        caps=[
            {
                "category": CapCategory.UNREGISTERED,
                "minimum": Decimal("500"),
                "maximum": Decimal("5000"),
            },
            {
                "category": CapCategory.REGISTERED,
                "minimum": Decimal("1000"),
                "maximum": Decimal("40000"),
            },
        ]
    )
    application = complete_application(
        ApplicationFactory(round=with_minimum, organisation=provider_org),
        amount=Decimal("499.99"),
    )

    with pytest.raises(ValidationError) as exc:
        services.application_submit(application=application, by=provider_user)

    assert exc.value.messages == [
        "The least an unregistered organisation can ask for is £500; your budget comes to £499.99"
    ]


def test_the_amount_requested_is_the_budget_lines_total(draft, provider_user):
    first = services.budget_line_add(
        application=draft,
        by=provider_user,
        item="Coach",
        financial_year="2025-26",
        amount=Decimal("4000.00"),
    )
    assert Application.objects.get(pk=draft.pk).amount_requested == Decimal("4000.00")
    services.budget_line_add(
        application=draft,
        by=provider_user,
        item="Hall",
        financial_year="2025-26",
        amount=Decimal("250.50"),
    )
    assert Application.objects.get(pk=draft.pk).amount_requested == Decimal("4250.50")
    services.budget_line_remove(line=first, by=provider_user)
    assert Application.objects.get(pk=draft.pk).amount_requested == Decimal("250.50")
    services.budget_line_remove(line=draft.budget_lines.get(), by=provider_user)
    assert Application.objects.get(pk=draft.pk).amount_requested is None


def test_a_budget_line_beyond_the_cap_is_refused_where_it_is_entered(draft, provider_user):
    services.budget_line_add(
        application=draft,
        by=provider_user,
        item="Coach",
        financial_year="2025-26",
        amount=Decimal("4999.99"),
    )
    before = snapshot(draft)

    with pytest.raises(ValidationError) as exc:
        services.budget_line_add(
            application=draft,
            by=provider_user,
            item="Hall",
            financial_year="2025-26",
            amount=Decimal("0.02"),
        )

    assert exc.value.message_dict == {
        "amount": [
            "The most an unregistered organisation can ask for is £5,000: with this line the "
            "budget would come to £5,000.01"
        ]
    }
    assert snapshot(draft) == before
    # Exactly the cap is allowed.
    services.budget_line_add(
        application=draft,
        by=provider_user,
        item="Hall",
        financial_year="2025-26",
        amount=Decimal("0.01"),
    )
    assert Application.objects.get(pk=draft.pk).amount_requested == Decimal("5000.00")


def test_application_submit_incomplete_sections_refused(draft, provider_user):
    with pytest.raises(ValidationError) as exc:
        services.application_submit(application=draft, by=provider_user)

    assert exc.value.messages == [
        "Complete the section ‘About the project’",
        "Complete the section ‘Priorities addressed’",
        "Complete the section ‘Evidence base’",
        "Complete the section ‘Who, where and with whom’",
        "Complete the section ‘Intended outcomes’",
        "Complete the section ‘Budget’",
        "Complete the section ‘Declarations’",
    ]


def test_application_submit_one_declaration_missing_refused(draft, provider_user):
    application = complete_application(draft)
    Application.objects.filter(pk=application.pk).update(declare_safeguarding=False)

    with pytest.raises(ValidationError) as exc:
        services.application_submit(application=application, by=provider_user)

    assert exc.value.messages == ["Complete the section ‘Declarations’"]


def test_application_submit_second_live_submission_refused(open_round, provider_org, provider_user):
    first = complete_application(ApplicationFactory(round=open_round, organisation=provider_org))
    services.application_submit(application=first, by=provider_user)
    second = complete_application(ApplicationFactory(round=open_round, organisation=provider_org))

    with pytest.raises(ValidationError) as exc:
        services.application_submit(application=second, by=provider_user)

    assert exc.value.messages == [
        "Seaham Street Sport has already submitted an application to this round"
    ]
    assert Application.objects.get(pk=second.pk).status == S.DRAFT


def test_application_submit_second_allowed_after_the_first_is_withdrawn(
    open_round, provider_org, provider_user
):
    first = complete_application(ApplicationFactory(round=open_round, organisation=provider_org))
    services.application_submit(application=first, by=provider_user)
    services.application_withdraw(application=first, by=provider_user, reason="Started again")
    second = complete_application(ApplicationFactory(round=open_round, organisation=provider_org))

    services.application_submit(application=second, by=provider_user)

    assert Application.objects.get(pk=second.pk).status == S.SUBMITTED


def test_application_submit_second_allowed_when_the_round_allows_several(
    provider_org, provider_user
):
    several = FundingRoundFactory(allow_multiple_applications=True)
    first = complete_application(ApplicationFactory(round=several, organisation=provider_org))
    services.application_submit(application=first, by=provider_user)
    second = complete_application(ApplicationFactory(round=several, organisation=provider_org))

    services.application_submit(application=second, by=provider_user)

    assert sorted(Application.objects.filter(round=several).values_list("status", flat=True)) == [
        S.SUBMITTED,
        S.SUBMITTED,
    ]


def test_application_submit_other_organisation_in_the_same_round_not_counted(
    open_round, provider_org, provider_user
):
    other = OrganisationFactory()
    services.application_submit(
        application=complete_application(ApplicationFactory(round=open_round, organisation=other)),
        by=member_of(other),
    )
    mine = complete_application(ApplicationFactory(round=open_round, organisation=provider_org))

    services.application_submit(application=mine, by=provider_user)

    assert Application.objects.get(pk=mine.pk).status == S.SUBMITTED


@pytest.mark.django_db(transaction=True)
def test_application_submit_at_the_same_moment_twice_makes_one_submission(task_queue):
    """Two requests race: the row lock lets one through and the other sees it submitted."""
    application = complete_application(ApplicationFactory())
    applicant = member_of(application.organisation)
    barrier = threading.Barrier(2)
    outcomes = []

    def submit():
        try:
            barrier.wait(timeout=5)
            services.application_submit(application=application, by=applicant)
            outcomes.append("submitted")
        except ValidationError as exc:
            outcomes.append(exc.messages)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)

    assert sorted(outcomes, key=str) == [
        ["This application is submitted: it can no longer be changed"],
        "submitted",
    ]
    assert ApplicationStatusChange.objects.filter(to_status=S.SUBMITTED).count() == 1


def _refusal_late(application):
    FundingRound.objects.filter(pk=application.round_id).update(
        opens_at=timezone.now() - datetime.timedelta(days=30),
        closes_at=timezone.now() - datetime.timedelta(minutes=1),
    )


def _refusal_over_cap(application):
    application.budget_lines.update(amount=Decimal("6000"))
    Application.objects.filter(pk=application.pk).update(amount_requested=Decimal("6000"))


def _refusal_incomplete(application):
    Application.objects.filter(pk=application.pk).update(outcomes="")


@pytest.mark.parametrize(
    "make_refusable",
    [_refusal_late, _refusal_over_cap, _refusal_incomplete],
    ids=["late", "over-cap", "incomplete"],
)
def test_application_submit_refused_leaves_the_draft_exactly_as_it_was(
    make_refusable, draft, provider_user
):
    application = complete_application(draft)
    make_refusable(application)
    before = snapshot(application)

    with pytest.raises(ValidationError):
        services.application_submit(application=application, by=provider_user)

    assert snapshot(application) == before
    assert before["fields"]["status"] == S.DRAFT
    assert before["fields"]["submitted_at"] is None


def test_application_submit_already_submitted_refused(draft, provider_user):
    application = complete_application(draft)
    services.application_submit(application=application, by=provider_user)

    with pytest.raises(ValidationError) as exc:
        services.application_submit(application=application, by=provider_user)

    assert exc.value.messages == ["This application is submitted: it can no longer be changed"]
    assert ApplicationStatusChange.objects.filter(to_status=S.SUBMITTED).count() == 1


def _logged_bid(provider_org, *, round_status=R.OPEN):
    """A paper bid for a round whose closing time passed an hour ago."""
    closes_at = timezone.now() - datetime.timedelta(hours=1)
    past_round = FundingRoundFactory(
        opens_at=closes_at - datetime.timedelta(days=30), closes_at=closes_at, status=round_status
    )
    bid = complete_application(
        ApplicationFactory(round=past_round, organisation=provider_org, channel=Channel.PAPER)
    )
    return bid, closes_at


def test_application_submit_logged_bid_received_before_closing_accepted(provider_org, staff_user):
    bid, closes_at = _logged_bid(provider_org)
    received_at = closes_at - datetime.timedelta(hours=2)

    services.application_submit(application=bid, by=staff_user, received_at=received_at)

    bid = Application.objects.get(pk=bid.pk)
    assert bid.status == S.SUBMITTED
    assert bid.submitted_at == received_at
    assert bid.submitted_by == staff_user


def test_application_submit_logged_bid_accepted_after_the_round_is_closed(provider_org, staff_user):
    bid, closes_at = _logged_bid(provider_org, round_status=R.CLOSED)
    received_at = closes_at - datetime.timedelta(hours=2)

    services.application_submit(application=bid, by=staff_user, received_at=received_at)

    assert Application.objects.get(pk=bid.pk).status == S.SUBMITTED


def test_application_submit_logged_bid_received_after_closing_refused(provider_org, staff_user):
    bid, closes_at = _logged_bid(provider_org)

    with pytest.raises(ValidationError) as exc:
        services.application_submit(
            application=bid, by=staff_user, received_at=closes_at + datetime.timedelta(minutes=1)
        )

    assert exc.value.messages == [
        "The round is not open for applications: the closing time has passed"
    ]
    assert Application.objects.get(pk=bid.pk).status == S.DRAFT


def test_application_submit_received_at_in_the_future_refused(provider_org, staff_user):
    bid, _ = _logged_bid(provider_org)

    with pytest.raises(ValidationError) as exc:
        services.application_submit(
            application=bid, by=staff_user, received_at=timezone.now() + datetime.timedelta(hours=1)
        )

    assert exc.value.message_dict == {"received_at": ["The received time cannot be in the future"]}
    assert Application.objects.get(pk=bid.pk).status == S.DRAFT


def test_application_submit_received_at_refused_for_a_portal_application(draft, provider_user):
    application = complete_application(draft)

    with pytest.raises(ValidationError) as exc:
        services.application_submit(
            application=application,
            by=provider_user,
            received_at=timezone.now() - datetime.timedelta(hours=1),
        )

    assert exc.value.messages == ["Only bids logged by staff have a separate received time"]
