import datetime
import threading
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.forms.models import model_to_dict
from django.utils import timezone

from grants import services
from grants.enums import (
    ApplicationStatus,
    CapCategory,
    Channel,
    RoundStages,
    RoundStatus,
    Stage,
)
from grants.models import (
    Application,
    ApplicationStatusChange,
    AssessmentCriterion,
    AwardCap,
    FundingRound,
    RoundStatusChange,
)
from grants.sections import WORD_LIMITS
from partners.enums import OrganisationKind, Role
from tests.factories import (
    ApplicationFactory,
    BudgetLineFactory,
    FundingRoundFactory,
    MembershipFactory,
    OrganisationFactory,
    StrategicPriorityFactory,
    UserFactory,
    complete_application,
)
from tests.factories.grants import EvidenceStrandFactory, SuccessMeasureFactory

S = ApplicationStatus
R = RoundStatus

# The workflow as the issue and DESIGN.md describe it, written out here rather than read
# from grants.services, so that a change to the product's map shows up as a failure.
EXPECTED_APPLICATION_MOVES = {
    S.DRAFT: {S.SUBMITTED, S.WITHDRAWN},
    S.SUBMITTED: {S.INELIGIBLE, S.UNDER_ASSESSMENT, S.WITHDRAWN},
    S.INELIGIBLE: {S.UNDER_ASSESSMENT, S.WITHDRAWN},
    S.UNDER_ASSESSMENT: {S.INVITED, S.NOT_INVITED, S.RECOMMENDED, S.NOT_RECOMMENDED, S.WITHDRAWN},
    S.RECOMMENDED: {S.NOT_RECOMMENDED, S.AWARDED, S.DECLINED, S.WITHDRAWN},
    S.NOT_RECOMMENDED: {S.RECOMMENDED, S.DECLINED, S.WITHDRAWN},
    S.INVITED: set(),
    S.NOT_INVITED: set(),
    S.AWARDED: set(),
    S.DECLINED: set(),
    S.WITHDRAWN: set(),
}
EXPECTED_ROUND_MOVES = {
    R.DRAFT: {R.OPEN},
    R.OPEN: {R.CLOSED},
    R.CLOSED: {R.OPEN, R.ASSESSMENT},
    R.ASSESSMENT: {R.DECIDED},
    R.DECIDED: set(),
}


def _now():
    return timezone.now()


def _application_in(status, *, stage=Stage.FULL, **kwargs):
    """An application already at `status`, as the workflow would have left it."""
    if stage == Stage.EOI:
        kwargs.setdefault(
            "round",
            FundingRoundFactory(
                stages=RoundStages.TWO_STAGE,
                full_stage_closes_at=_now() + datetime.timedelta(days=60),
            ),
        )
    submitted_at = None if status == S.DRAFT else _now() - datetime.timedelta(days=1)
    return ApplicationFactory(status=status, stage=stage, submitted_at=submitted_at, **kwargs)


def _member_of(organisation):
    """Someone who may act for the organisation: the services check who is acting."""
    return MembershipFactory(organisation=organisation).user


def _snapshot(application):
    """Everything a refused submission must leave as it was."""
    application = Application.objects.get(pk=application.pk)
    return {
        "fields": model_to_dict(application),
        "updated_at": application.updated_at,
        "budget_lines": list(
            application.budget_lines.order_by("pk").values_list(
                "pk", "item", "financial_year", "amount"
            )
        ),
        "status_changes": application.status_changes.count(),
        "next_number": FundingRound.objects.get(pk=application.round_id).next_application_number,
    }


# --- The application workflow -------------------------------------------------------


def test_application_moves_map_is_the_documented_workflow():
    assert services.APPLICATION_MOVES == EXPECTED_APPLICATION_MOVES


ALLOWED_MOVES = [
    pytest.param(
        from_status,
        to_status,
        id=f"{from_status}-{to_status}",
    )
    for from_status, targets in EXPECTED_APPLICATION_MOVES.items()
    for to_status in sorted(targets)
]
REFUSED_MOVES = [
    pytest.param(from_status, to_status, id=f"{from_status}-{to_status}")
    for from_status in S
    for to_status in S
    if to_status not in EXPECTED_APPLICATION_MOVES[from_status]
]


@pytest.mark.parametrize(("from_status", "to_status"), ALLOWED_MOVES)
def test_application_move_allowed_writes_one_status_change(from_status, to_status, staff_user):
    stage = Stage.EOI if to_status in (S.INVITED, S.NOT_INVITED) else Stage.FULL
    application = _application_in(from_status, stage=stage)
    if to_status == S.SUBMITTED:
        # application_submit stamps the time before it makes this move.
        Application.objects.filter(pk=application.pk).update(submitted_at=_now())
    before = _now()

    moved = services.application_move(
        application=application, to_status=to_status, by=staff_user, reason="  Checked by Olive  "
    )

    assert moved.status == to_status
    assert Application.objects.get(pk=application.pk).status == to_status
    change = ApplicationStatusChange.objects.get(application=application)
    assert (change.from_status, change.to_status, change.changed_by, change.reason) == (
        from_status,
        to_status,
        staff_user,
        "Checked by Olive",
    )
    assert before <= change.changed_at <= _now()


@pytest.mark.parametrize(("from_status", "to_status"), REFUSED_MOVES)
def test_application_move_refused_raises_and_writes_nothing(from_status, to_status, staff_user):
    application = _application_in(from_status)

    with pytest.raises(ValidationError) as exc:
        services.application_move(application=application, to_status=to_status, by=staff_user)

    assert exc.value.messages == [
        f"An application that is {S(from_status).label.lower()} "
        f"cannot move to {S(to_status).label.lower()}"
    ]
    assert Application.objects.get(pk=application.pk).status == from_status
    assert ApplicationStatusChange.objects.count() == 0


@pytest.mark.parametrize("to_status", [S.INVITED, S.NOT_INVITED])
def test_application_move_invite_refused_for_a_full_application(to_status, staff_user):
    application = _application_in(S.UNDER_ASSESSMENT, stage=Stage.FULL)

    with pytest.raises(ValidationError) as exc:
        services.application_move(application=application, to_status=to_status, by=staff_user)

    assert exc.value.messages == [
        "Only an expression of interest can be invited to a full application"
    ]
    assert Application.objects.get(pk=application.pk).status == S.UNDER_ASSESSMENT
    assert ApplicationStatusChange.objects.count() == 0


def test_application_move_queues_the_email_on_commit_only(
    staff_user, provider_user, provider_org, django_capture_on_commit_callbacks, eager_celery
):
    application = _application_in(S.SUBMITTED, organisation=provider_org)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.application_move(
            application=application, to_status=S.UNDER_ASSESSMENT, by=staff_user
        )

    assert len(callbacks) == 1
    assert mail.outbox == []  # nothing goes before the transaction commits
    callbacks[0]()
    assert [(m.subject, m.to) for m in mail.outbox] == [
        (
            f"Your application {application.reference} is now: under assessment",
            ["provider@example.org"],
        )
    ]


# --- Submission -----------------------------------------------------------------------


def test_application_submit_complete_draft_is_submitted(draft, provider_user):
    application = complete_application(draft)
    before = _now()

    submitted = services.application_submit(application=application, by=provider_user)

    submitted = Application.objects.get(pk=submitted.pk)
    assert submitted.status == S.SUBMITTED
    assert submitted.submitted_by == provider_user
    assert before <= submitted.submitted_at <= _now()
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

    assert len(callbacks) == 1
    assert mail.outbox == []
    callbacks[0]()
    assert [m.subject for m in mail.outbox] == ["Application received: VPF-0001"]
    assert "Amount requested: £4,500" in mail.outbox[0].body


def test_application_submit_late_refused(provider_org, provider_user):
    late_round = FundingRoundFactory(
        opens_at=_now() - datetime.timedelta(days=30),
        closes_at=_now() - datetime.timedelta(minutes=1),
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
        "The most an unregistered organisation can ask for is £5,000; you have asked for £5,000.01"
    ]
    assert Application.objects.get(pk=application.pk).status == S.DRAFT


def test_application_submit_exactly_the_unregistered_cap_accepted(draft, provider_user):
    application = complete_application(draft, amount=Decimal("5000.00"))

    services.application_submit(application=application, by=provider_user)

    application = Application.objects.get(pk=application.pk)
    assert application.status == S.SUBMITTED
    assert application.amount_requested == Decimal("5000.00")


def test_application_submit_registered_organisation_may_ask_for_40000(funding_round):
    charity = OrganisationFactory(charity=True)
    application = complete_application(
        ApplicationFactory(round=funding_round, organisation=charity),
        amount=Decimal("40000.00"),
    )

    services.application_submit(application=application, by=_member_of(charity))

    assert Application.objects.get(pk=application.pk).status == S.SUBMITTED


def test_application_submit_registered_over_40000_refused(funding_round):
    company = OrganisationFactory(company=True)
    application = complete_application(
        ApplicationFactory(round=funding_round, organisation=company),
        amount=Decimal("40000.50"),
    )

    with pytest.raises(ValidationError) as exc:
        services.application_submit(application=application, by=_member_of(company))

    assert exc.value.messages == [
        "The most a registered organisation can ask for is £40,000; you have asked for £40,000.50"
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
        "The least an unregistered organisation can ask for is £500; you have asked for £499.99"
    ]


def test_application_submit_budget_lines_not_adding_up_refused(draft, provider_user):
    application = complete_application(draft, amount=Decimal("4000.00"))
    BudgetLineFactory(application=application, amount=Decimal("250.50"))
    Application.objects.filter(pk=application.pk).update(amount_requested=Decimal("4500"))

    with pytest.raises(ValidationError) as exc:
        services.application_submit(application=application, by=provider_user)

    assert exc.value.messages == [
        "The budget lines add up to £4,250.50 but the amount requested is £4,500: "
        "they must be the same"
    ]


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


def test_application_submit_second_live_submission_refused(
    funding_round, provider_org, provider_user
):
    first = complete_application(ApplicationFactory(round=funding_round, organisation=provider_org))
    services.application_submit(application=first, by=provider_user)
    second = complete_application(
        ApplicationFactory(round=funding_round, organisation=provider_org)
    )

    with pytest.raises(ValidationError) as exc:
        services.application_submit(application=second, by=provider_user)

    assert exc.value.messages == [
        "Seaham Street Sport has already submitted an application to this round"
    ]
    assert Application.objects.get(pk=second.pk).status == S.DRAFT


def test_application_submit_second_allowed_after_the_first_is_withdrawn(
    funding_round, provider_org, provider_user
):
    first = complete_application(ApplicationFactory(round=funding_round, organisation=provider_org))
    services.application_submit(application=first, by=provider_user)
    services.application_withdraw(application=first, by=provider_user, reason="Started again")
    second = complete_application(
        ApplicationFactory(round=funding_round, organisation=provider_org)
    )

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
    funding_round, provider_org, provider_user
):
    other = OrganisationFactory()
    services.application_submit(
        application=complete_application(
            ApplicationFactory(round=funding_round, organisation=other)
        ),
        by=_member_of(other),
    )
    mine = complete_application(ApplicationFactory(round=funding_round, organisation=provider_org))

    services.application_submit(application=mine, by=provider_user)

    assert Application.objects.get(pk=mine.pk).status == S.SUBMITTED


@pytest.mark.django_db(transaction=True)
def test_application_submit_at_the_same_moment_twice_makes_one_submission(task_queue):
    """Two requests race: the row lock lets one through and the other sees it submitted."""
    application = complete_application(ApplicationFactory())
    applicant = _member_of(application.organisation)
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
        opens_at=_now() - datetime.timedelta(days=30),
        closes_at=_now() - datetime.timedelta(minutes=1),
    )


def _refusal_over_cap(application):
    application.budget_lines.update(amount=Decimal("6000"))
    Application.objects.filter(pk=application.pk).update(amount_requested=Decimal("6000"))


def _refusal_budget(application):
    BudgetLineFactory(application=application, amount=Decimal("1.00"))


def _refusal_incomplete(application):
    Application.objects.filter(pk=application.pk).update(outcomes="")


@pytest.mark.parametrize(
    "make_refusable",
    [_refusal_late, _refusal_over_cap, _refusal_budget, _refusal_incomplete],
    ids=["late", "over-cap", "budget", "incomplete"],
)
def test_application_submit_refused_leaves_the_draft_exactly_as_it_was(
    make_refusable, draft, provider_user
):
    application = complete_application(draft)
    make_refusable(application)
    before = _snapshot(application)

    with pytest.raises(ValidationError):
        services.application_submit(application=application, by=provider_user)

    assert _snapshot(application) == before
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
    closes_at = _now() - datetime.timedelta(hours=1)
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
            application=bid, by=staff_user, received_at=_now() + datetime.timedelta(hours=1)
        )

    assert exc.value.message_dict == {"received_at": ["The received time cannot be in the future"]}
    assert Application.objects.get(pk=bid.pk).status == S.DRAFT


def test_application_submit_received_at_refused_for_a_portal_application(draft, provider_user):
    application = complete_application(draft)

    with pytest.raises(ValidationError) as exc:
        services.application_submit(
            application=application,
            by=provider_user,
            received_at=_now() - datetime.timedelta(hours=1),
        )

    assert exc.value.messages == ["Only bids logged by staff have a separate received time"]


# --- Starting ---------------------------------------------------------------------------


def test_application_start_allocates_consecutive_references(funding_round, provider_user):
    boxing, youth_work = OrganisationFactory(), OrganisationFactory()
    first = services.application_start(
        funding_round=funding_round,
        organisation=boxing,
        by=_member_of(boxing),
        title="  Friday night boxing  ",
    )
    second = services.application_start(
        funding_round=funding_round,
        organisation=youth_work,
        by=_member_of(youth_work),
        title="Detached youth work",
    )

    assert (first.reference, second.reference) == ("VPF-0001", "VPF-0002")
    assert (first.title, first.status, first.stage, first.channel) == (
        "Friday night boxing",
        S.DRAFT,
        Stage.FULL,
        Channel.PORTAL,
    )
    assert FundingRound.objects.get(pk=funding_round.pk).next_application_number == 3


def test_application_start_two_stage_round_starts_an_expression_of_interest(provider_org):
    two_stage = FundingRoundFactory(
        stages=RoundStages.TWO_STAGE, full_stage_closes_at=_now() + datetime.timedelta(days=60)
    )

    application = services.application_start(
        funding_round=two_stage,
        organisation=provider_org,
        by=provider_org.memberships.get().user,
        title="Mentoring",
    )

    assert application.stage == Stage.EOI


def test_application_start_unverified_organisation_refused(funding_round, provider_user):
    pending = OrganisationFactory(name="New Group", pending=True)
    MembershipFactory(user=provider_user, organisation=pending)

    with pytest.raises(ValidationError) as exc:
        services.application_start(
            funding_round=funding_round, organisation=pending, by=provider_user, title="Project"
        )

    assert exc.value.messages == ["New Group must be verified by OPCC staff before it can apply"]
    assert Application.objects.count() == 0
    assert FundingRound.objects.get(pk=funding_round.pk).next_application_number == 1


def test_application_start_non_provider_organisation_refused(funding_round):
    police = OrganisationFactory(kind=OrganisationKind.POLICE)

    with pytest.raises(ValidationError) as exc:
        services.application_start(
            funding_round=funding_round, organisation=police, by=_member_of(police), title="Project"
        )

    assert exc.value.messages == ["Only provider organisations can apply for funding"]
    assert Application.objects.count() == 0


@pytest.mark.parametrize(
    ("opens_in_days", "closes_in_days", "status"),
    [(-30, -1, R.OPEN), (-30, 10, R.CLOSED), (1, 30, R.OPEN), (-1, 30, R.DRAFT)],
    ids=["closed-by-date", "closed-by-status", "not-yet-open", "draft"],
)
def test_application_start_round_not_accepting_refused(
    opens_in_days, closes_in_days, status, provider_org, provider_user
):
    not_open = FundingRoundFactory(
        opens_at=_now() + datetime.timedelta(days=opens_in_days),
        closes_at=_now() + datetime.timedelta(days=closes_in_days),
        status=status,
    )

    with pytest.raises(ValidationError) as exc:
        services.application_start(
            funding_round=not_open, organisation=provider_org, by=provider_user, title="Project"
        )

    assert exc.value.messages == ["This round is not open for applications"]
    assert Application.objects.count() == 0


def test_application_start_second_live_application_refused(
    funding_round, provider_org, provider_user
):
    services.application_start(
        funding_round=funding_round, organisation=provider_org, by=provider_user, title="One"
    )

    with pytest.raises(ValidationError) as exc:
        services.application_start(
            funding_round=funding_round, organisation=provider_org, by=provider_user, title="Two"
        )

    assert exc.value.messages == [
        "Seaham Street Sport already has an application in this round: continue that one"
    ]
    assert list(Application.objects.values_list("title", flat=True)) == ["One"]


def test_application_start_second_allowed_when_the_round_allows_several(
    provider_org, provider_user
):
    several = FundingRoundFactory(allow_multiple_applications=True, reference_prefix="MULTI")
    for title in ("One", "Two"):
        services.application_start(
            funding_round=several, organisation=provider_org, by=provider_user, title=title
        )

    assert sorted(Application.objects.values_list("reference", flat=True)) == [
        "MULTI-0001",
        "MULTI-0002",
    ]


def test_application_start_blank_title_refused(funding_round, provider_org, provider_user):
    with pytest.raises(ValidationError) as exc:
        services.application_start(
            funding_round=funding_round, organisation=provider_org, by=provider_user, title="   "
        )

    assert exc.value.message_dict == {"title": ["Enter the project title"]}


def test_application_start_staff_may_log_a_bid_after_closing(provider_org, staff_user):
    past = FundingRoundFactory(
        opens_at=_now() - datetime.timedelta(days=30),
        closes_at=_now() - datetime.timedelta(days=1),
        status=R.CLOSED,
        reference_prefix="PAST",
    )

    bid = services.application_start(
        funding_round=past,
        organisation=provider_org,
        by=staff_user,
        title="Paper bid",
        channel=Channel.PAPER,
        contact_name="Sam Hall",
        contact_address="12 Front Street\nDurham",
    )

    assert (bid.reference, bid.channel, bid.status) == ("PAST-0001", Channel.PAPER, S.DRAFT)


def test_application_start_staff_may_not_log_a_bid_for_a_draft_round(provider_org, staff_user):
    draft_round = FundingRoundFactory(status=R.DRAFT)

    with pytest.raises(ValidationError) as exc:
        services.application_start(
            funding_round=draft_round,
            organisation=provider_org,
            by=staff_user,
            title="Email bid",
            channel=Channel.EMAIL,
        )

    assert exc.value.messages == ["Bids can only be logged for a round that has been opened"]


# --- Editing a draft ------------------------------------------------------------------


@pytest.mark.parametrize(("field", "limit"), sorted(WORD_LIMITS.items()))
def test_application_update_over_the_word_limit_refused_and_nothing_saved(
    field, limit, draft, provider_user
):
    before = _snapshot(draft)

    with pytest.raises(ValidationError) as exc:
        services.application_update(
            application=draft,
            by=provider_user,
            fields={"title": "A new title", field: " ".join(["word"] * (limit + 1))},
        )

    assert exc.value.message_dict == {field: [f"Use {limit} words or fewer (you have {limit + 1})"]}
    assert _snapshot(draft) == before


def test_application_update_at_the_word_limit_saved(draft, provider_user):
    summary = " ".join(["word"] * 150)

    services.application_update(
        application=draft, by=provider_user, fields={"summary": summary, "title": "New title"}
    )

    draft.refresh_from_db()
    assert (draft.summary, draft.title) == (summary, "New title")


def test_application_update_priority_the_round_does_not_fund_refused(
    draft, priorities, provider_user
):
    draft.priorities.set([priorities[0]])
    unfunded = StrategicPriorityFactory(partnership=priorities[0].partnership, number=3)

    with pytest.raises(ValidationError) as exc:
        services.application_update(
            application=draft,
            by=provider_user,
            fields={"title": "Changed"},
            priorities=[priorities[1], unfunded],
        )

    assert exc.value.message_dict == {"priorities": ["Choose only priorities this round funds"]}
    draft.refresh_from_db()
    assert list(draft.priorities.all()) == [priorities[0]]
    assert draft.title == "Street sport on the seafront"


def test_application_update_priorities_and_measures_saved(draft, priorities, provider_user):
    measure = SuccessMeasureFactory()

    services.application_update(
        application=draft,
        by=provider_user,
        fields={"outcomes": "Fewer injuries"},
        priorities=priorities,
        success_measures=[measure],
    )

    assert sorted(p.number for p in draft.priorities.all()) == [1, 2]
    assert list(draft.success_measures.all()) == [measure]


def test_application_update_retired_evidence_strand_refused(draft, provider_user):
    retired = EvidenceStrandFactory(is_active=False)

    with pytest.raises(ValidationError) as exc:
        services.application_update(
            application=draft, by=provider_user, fields={"evidence_strand": retired}
        )

    assert exc.value.message_dict == {"evidence_strand": ["Choose a strand from the current list"]}
    draft.refresh_from_db()
    assert draft.evidence_strand is None


def test_application_update_after_submission_refused(provider_user):
    submitted = _application_in(S.SUBMITTED, title="Submitted title")

    with pytest.raises(ValidationError) as exc:
        services.application_update(
            application=submitted, by=provider_user, fields={"title": "Changed"}
        )

    assert exc.value.messages == ["This application is submitted: it can no longer be changed"]
    assert Application.objects.get(pk=submitted.pk).title == "Submitted title"


def test_budget_line_add_zero_amount_refused(draft, provider_user):
    with pytest.raises(ValidationError) as exc:
        services.budget_line_add(
            application=draft,
            by=provider_user,
            item="Venue",
            financial_year="2025-26",
            amount=Decimal("0"),
        )

    assert exc.value.message_dict == {"amount": ["Enter an amount more than £0"]}
    assert draft.budget_lines.count() == 0


# --- Rounds -------------------------------------------------------------------------------


def _round_fields(**overrides):
    now = _now()
    fields = {
        "slug": "youth-fund",
        "fund_name": "Violence Prevention Fund",
        "title": "Youth fund",
        "reference_prefix": "YF",
        "description": "Grants for youth projects.",
        "eligibility": "Voluntary organisations.",
        "how_to_apply": "Apply online.",
        "budget": Decimal("700000"),
        "opens_at": now + datetime.timedelta(days=1),
        "closes_at": now + datetime.timedelta(days=30),
        "delivery_starts_on": datetime.date(2025, 4, 1),
        "delivery_ends_on": datetime.date(2026, 3, 31),
        "stages": RoundStages.SINGLE,
        "full_stage_closes_at": None,
        "allow_multiple_applications": False,
    }
    fields.update(overrides)
    return fields


CAPS = [
    {"category": CapCategory.UNREGISTERED, "minimum": Decimal("0"), "maximum": Decimal("5000")},
    {"category": CapCategory.REGISTERED, "minimum": Decimal("0"), "maximum": Decimal("40000")},
]
CRITERIA = [
    {
        "number": 1,
        "title": "Evidence",
        "guidance": "5: strong",
        "weight": Decimal("70"),
        "scale_max": 5,
    },
    {
        "number": 2,
        "title": "Partnership",
        "guidance": "5: named partners",
        "weight": Decimal("30"),
        "scale_max": 5,
    },
]


def test_round_save_creates_a_draft_round_with_caps_and_criteria(priorities, staff_user):
    funding_round = services.round_save(
        funding_round=None,
        by=staff_user,
        fields=_round_fields(),
        priorities=priorities,
        caps=CAPS,
        criteria=CRITERIA,
    )

    funding_round = FundingRound.objects.get(pk=funding_round.pk)
    assert (funding_round.status, funding_round.created_by, funding_round.budget) == (
        R.DRAFT,
        staff_user,
        Decimal("700000.00"),
    )
    assert sorted(funding_round.caps.values_list("category", "minimum", "maximum")) == [
        (CapCategory.REGISTERED, Decimal("0.00"), Decimal("40000.00")),
        (CapCategory.UNREGISTERED, Decimal("0.00"), Decimal("5000.00")),
    ]
    assert list(funding_round.criteria.values_list("number", "title", "weight")) == [
        (1, "Evidence", Decimal("70.00")),
        (2, "Partnership", Decimal("30.00")),
    ]
    assert sorted(p.number for p in funding_round.priorities.all()) == [1, 2]


def test_round_save_edit_replaces_caps_and_criteria(funding_round, staff_user):
    new_caps = [
        {
            "category": CapCategory.UNREGISTERED,
            "minimum": Decimal("100"),
            "maximum": Decimal("2500"),
        },
        {"category": CapCategory.REGISTERED, "minimum": Decimal("0"), "maximum": Decimal("20000")},
    ]

    services.round_save(
        funding_round=funding_round,
        by=staff_user,
        fields={"title": "Renamed"},
        priorities=[],
        caps=new_caps,
        criteria=CRITERIA[:1],
    )

    funding_round = FundingRound.objects.get(pk=funding_round.pk)
    assert funding_round.title == "Renamed"
    assert sorted(funding_round.caps.values_list("category", "minimum", "maximum")) == [
        (CapCategory.REGISTERED, Decimal("0.00"), Decimal("20000.00")),
        (CapCategory.UNREGISTERED, Decimal("100.00"), Decimal("2500.00")),
    ]
    assert list(funding_round.criteria.values_list("title", flat=True)) == ["Evidence"]
    assert AwardCap.objects.count() == 2
    assert AssessmentCriterion.objects.count() == 1


@pytest.mark.parametrize(
    ("fields", "caps", "criteria", "errors"),
    [
        pytest.param(
            {},
            CAPS[1:],
            CRITERIA,
            {"__all__": ["Give one cap for registered and one for unregistered organisations"]},
            id="cap-missing",
        ),
        pytest.param(
            {},
            [*CAPS, CAPS[0]],
            CRITERIA,
            {"__all__": ["Give one cap for registered and one for unregistered organisations"]},
            id="cap-twice",
        ),
        pytest.param(
            {"budget": Decimal("30000")},
            CAPS,
            CRITERIA,
            {"__all__": ["A cap cannot be more than the round's budget"]},
            id="cap-above-budget",
        ),
        pytest.param(
            {},
            [
                CAPS[0],
                {
                    "category": CapCategory.REGISTERED,
                    "minimum": Decimal("50000"),
                    "maximum": Decimal("40000"),
                },
            ],
            CRITERIA,
            {"__all__": ["Each cap's minimum must be between zero and its maximum"]},
            id="minimum-above-maximum",
        ),
        pytest.param(
            {"stages": RoundStages.TWO_STAGE},
            CAPS,
            CRITERIA,
            {
                "full_stage_closes_at": [
                    "Give the closing time for full applications in a two-stage round"
                ]
            },
            id="two-stage-without-full-deadline",
        ),
        pytest.param(
            {"stages": RoundStages.TWO_STAGE, "full_stage_closes_at": _now()},
            CAPS,
            CRITERIA,
            {
                "full_stage_closes_at": [
                    "Full applications must close after expressions of interest"
                ]
            },
            id="full-deadline-before-eoi-deadline",
        ),
        pytest.param(
            {},
            CAPS,
            [],
            {"__all__": ["Give at least one criterion, each with its own number"]},
            id="no-criteria",
        ),
        pytest.param(
            {},
            CAPS,
            [{**CRITERIA[0], "weight": Decimal("0")}],
            {"__all__": ["At least one criterion needs a weight above zero"]},
            id="no-weight",
        ),
    ],
)
def test_round_save_invalid_refused_and_nothing_saved(
    fields, caps, criteria, errors, priorities, staff_user
):
    with pytest.raises(ValidationError) as exc:
        services.round_save(
            funding_round=None,
            by=staff_user,
            fields=_round_fields(**fields),
            priorities=priorities,
            caps=caps,
            criteria=criteria,
        )

    assert exc.value.message_dict == errors
    assert FundingRound.objects.count() == 0
    assert AwardCap.objects.count() == 0


def test_round_save_closing_before_opening_refused(priorities, staff_user):
    now = _now()

    with pytest.raises(ValidationError) as exc:
        services.round_save(
            funding_round=None,
            by=staff_user,
            fields=_round_fields(opens_at=now, closes_at=now - datetime.timedelta(days=1)),
            priorities=priorities,
            caps=CAPS,
            criteria=CRITERIA,
        )

    assert exc.value.messages == ["The closing time must be after the opening time"]
    assert FundingRound.objects.count() == 0


@pytest.mark.parametrize("status", [R.ASSESSMENT, R.DECIDED])
def test_round_save_round_in_assessment_or_decided_refused(status, staff_user):
    funding_round = FundingRoundFactory(status=status, title="Fixed")

    with pytest.raises(ValidationError) as exc:
        services.round_save(
            funding_round=funding_round,
            by=staff_user,
            fields={"title": "Changed"},
            priorities=[],
            caps=CAPS,
            criteria=CRITERIA,
        )

    assert exc.value.messages == ["A round in assessment or decided cannot be changed"]
    assert FundingRound.objects.get(pk=funding_round.pk).title == "Fixed"


def test_round_moves_map_is_the_documented_workflow():
    assert services.ROUND_MOVES == EXPECTED_ROUND_MOVES


@pytest.mark.parametrize(
    ("from_status", "to_status"),
    [(f, t) for f, targets in EXPECTED_ROUND_MOVES.items() for t in sorted(targets)],
    ids=lambda value: str(value),
)
def test_round_move_allowed_writes_one_status_change(from_status, to_status, staff_user):
    funding_round = FundingRoundFactory(status=from_status)
    # Staff run the round; the PCC's signed decision decides it.
    if to_status == R.DECIDED:
        by = UserFactory(roles=[Role.PCC])
        services.round_decide(
            funding_round=funding_round, awards={}, declines=[], by=by, reason="On schedule"
        )
    else:
        by = staff_user
        services.round_move(
            funding_round=funding_round, to_status=to_status, by=by, reason="On schedule"
        )

    assert FundingRound.objects.get(pk=funding_round.pk).status == to_status
    change = RoundStatusChange.objects.get(round=funding_round)
    assert (change.from_status, change.to_status, change.changed_by, change.reason) == (
        from_status,
        to_status,
        by,
        "On schedule",
    )


@pytest.mark.parametrize(
    ("from_status", "to_status"),
    [(f, t) for f in R for t in R if t not in EXPECTED_ROUND_MOVES[f]],
    ids=lambda value: str(value),
)
def test_round_move_refused_raises_and_writes_nothing(from_status, to_status, staff_user):
    funding_round = FundingRoundFactory(status=from_status)

    with pytest.raises(ValidationError) as exc:
        services.round_move(funding_round=funding_round, to_status=to_status, by=staff_user)

    assert exc.value.messages == [
        f"A round that is {R(from_status).label.lower()} cannot move to {R(to_status).label.lower()}"
    ]
    assert FundingRound.objects.get(pk=funding_round.pk).status == from_status
    assert RoundStatusChange.objects.count() == 0


def test_round_move_open_without_criteria_refused(staff_user):
    funding_round = FundingRoundFactory(status=R.DRAFT)
    funding_round.criteria.all().delete()

    with pytest.raises(ValidationError) as exc:
        services.round_move(funding_round=funding_round, to_status=R.OPEN, by=staff_user)

    assert exc.value.messages == ["Add the assessment criteria before opening the round"]
    assert FundingRound.objects.get(pk=funding_round.pk).status == R.DRAFT


def test_rounds_follow_dates_closes_an_open_round_past_closing_and_is_idempotent(db):
    now = _now()
    past = FundingRoundFactory(
        slug="past", opens_at=now - datetime.timedelta(days=30), closes_at=now
    )
    FundingRoundFactory(slug="current")
    FundingRoundFactory(
        slug="two-stage",
        stages=RoundStages.TWO_STAGE,
        opens_at=now - datetime.timedelta(days=30),
        closes_at=now - datetime.timedelta(days=1),
        full_stage_closes_at=now + datetime.timedelta(days=20),
    )

    assert services.rounds_follow_dates(now=now) == ["past"]
    assert services.rounds_follow_dates(now=now) == []

    statuses = dict(FundingRound.objects.values_list("slug", "status"))
    assert statuses == {"past": R.CLOSED, "current": R.OPEN, "two-stage": R.OPEN}
    change = RoundStatusChange.objects.get()
    assert (change.round, change.from_status, change.to_status, change.changed_by) == (
        past,
        R.OPEN,
        R.CLOSED,
        None,
    )
    assert change.reason == "The closing date passed"


def test_rounds_follow_dates_closes_a_two_stage_round_after_its_full_deadline(db):
    now = _now()
    FundingRoundFactory(
        slug="two-stage",
        stages=RoundStages.TWO_STAGE,
        opens_at=now - datetime.timedelta(days=60),
        closes_at=now - datetime.timedelta(days=30),
        full_stage_closes_at=now - datetime.timedelta(minutes=1),
    )

    assert services.rounds_follow_dates(now=now) == ["two-stage"]
    assert FundingRound.objects.get().status == R.CLOSED


# --- Two stages -------------------------------------------------------------------------


def test_application_invite_to_full_copies_the_expression_of_interest(
    priorities, provider_org, provider_user, staff_user
):
    two_stage = FundingRoundFactory(
        stages=RoundStages.TWO_STAGE,
        reference_prefix="TWO",
        priorities=priorities,
        full_stage_closes_at=_now() + datetime.timedelta(days=60),
    )
    eoi = services.application_start(
        funding_round=two_stage, organisation=provider_org, by=provider_user, title="Mentoring"
    )
    eoi = complete_application(eoi, amount=Decimal("4500.00"))
    eoi.priorities.set(priorities)
    eoi.budget_lines.all().delete()
    BudgetLineFactory(application=eoi, item="Mentor", financial_year="2025-26", amount=3000)
    BudgetLineFactory(application=eoi, item="Venue", financial_year="2026-27", amount=1500)
    services.application_submit(application=eoi, by=provider_user)
    services.application_record_eligibility(
        application=eoi, eligible=True, reason="", by=staff_user
    )

    full = services.application_invite_to_full(application=eoi, by=staff_user, reason="Strong EOI")

    eoi = Application.objects.get(pk=eoi.pk)
    full = Application.objects.get(pk=full.pk)
    assert eoi.status == S.INVITED
    assert (full.reference, full.stage, full.status, full.parent, full.organisation) == (
        "TWO-0002",
        Stage.FULL,
        S.DRAFT,
        eoi,
        provider_org,
    )
    assert (full.title, full.amount_requested, full.summary, full.evidence_other) == (
        "Mentoring",
        Decimal("4500.00"),
        eoi.summary,
        "Our own evaluation of 2023",
    )
    assert sorted(p.number for p in full.priorities.all()) == [1, 2]
    assert list(full.success_measures.all()) == list(eoi.success_measures.all())
    assert list(
        full.budget_lines.order_by("item").values_list("item", "financial_year", "amount")
    ) == [
        ("Mentor", "2025-26", Decimal("3000.00")),
        ("Venue", "2026-27", Decimal("1500.00")),
    ]
    # Declarations are made again for the full application.
    assert (full.declare_accurate, full.declare_safeguarding, full.declare_data_protection) == (
        False,
        False,
        False,
    )
    change = eoi.status_changes.order_by("-pk").first()
    assert (change.from_status, change.to_status, change.changed_by, change.reason) == (
        S.UNDER_ASSESSMENT,
        S.INVITED,
        staff_user,
        "Strong EOI",
    )


def test_application_invite_to_full_refused_for_a_full_application(staff_user):
    full = _application_in(S.UNDER_ASSESSMENT, stage=Stage.FULL)

    with pytest.raises(ValidationError):
        services.application_invite_to_full(application=full, by=staff_user)

    assert Application.objects.count() == 1
    assert Application.objects.get(pk=full.pk).status == S.UNDER_ASSESSMENT


# --- Eligibility and withdrawal -------------------------------------------------------------


def test_application_record_eligibility_not_eligible_needs_a_reason(staff_user):
    application = _application_in(S.SUBMITTED)

    with pytest.raises(ValidationError) as exc:
        services.application_record_eligibility(
            application=application, eligible=False, reason="  ", by=staff_user
        )

    assert exc.value.message_dict == {"reason": ["Give the reason the application is not eligible"]}
    assert Application.objects.get(pk=application.pk).status == S.SUBMITTED
    assert ApplicationStatusChange.objects.count() == 0


@pytest.mark.parametrize(
    ("eligible", "reason", "status"),
    [(True, "", S.UNDER_ASSESSMENT), (False, "Outside the area", S.INELIGIBLE)],
)
def test_application_record_eligibility_moves_the_application(eligible, reason, status, staff_user):
    application = _application_in(S.SUBMITTED)

    services.application_record_eligibility(
        application=application, eligible=eligible, reason=reason, by=staff_user
    )

    change = ApplicationStatusChange.objects.get()
    assert (change.from_status, change.to_status, change.changed_by, change.reason) == (
        S.SUBMITTED,
        status,
        staff_user,
        reason,
    )
