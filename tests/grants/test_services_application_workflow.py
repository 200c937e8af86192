"""grants.services.application_workflow: the map of moves, the status-change rows and mail,
inviting to a full application, eligibility and withdrawal."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from grants import services
from grants.enums import (
    ApplicationStatus,
    RoundStages,
    Stage,
)
from grants.models import (
    Application,
    ApplicationStatusChange,
)
from tests.factories import (
    BudgetLineFactory,
    FundingRoundFactory,
    complete_application,
)
from tests.grants.helpers import application_in
from tests.on_commit import queued_work

S = ApplicationStatus

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
    application = application_in(from_status, stage=stage)
    if to_status == S.SUBMITTED:
        # application_submit stamps the time before it makes this move.
        Application.objects.filter(pk=application.pk).update(submitted_at=timezone.now())
    before = timezone.now()

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
    assert before <= change.changed_at <= timezone.now()


@pytest.mark.parametrize(("from_status", "to_status"), REFUSED_MOVES)
def test_application_move_refused_raises_and_writes_nothing(from_status, to_status, staff_user):
    application = application_in(from_status)

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
    application = application_in(S.UNDER_ASSESSMENT, stage=Stage.FULL)

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
    application = application_in(S.SUBMITTED, organisation=provider_org)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.application_move(
            application=application, to_status=S.UNDER_ASSESSMENT, by=staff_user
        )

    assert len(queued_work(callbacks)) == 1
    assert mail.outbox == []  # nothing goes before the transaction commits
    queued_work(callbacks)[0]()
    assert [(m.subject, m.to) for m in mail.outbox] == [
        (
            f"Your application {application.reference} is now: under assessment",
            ["provider@example.org"],
        )
    ]


# --- Two stages -------------------------------------------------------------------------


def test_application_invite_to_full_copies_the_expression_of_interest(
    priorities, provider_org, provider_user, staff_user
):
    two_stage = FundingRoundFactory(
        stages=RoundStages.TWO_STAGE,
        reference_prefix="TWO",
        priorities=priorities,
        full_stage_closes_at=timezone.now() + datetime.timedelta(days=60),
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
    full = application_in(S.UNDER_ASSESSMENT, stage=Stage.FULL)

    with pytest.raises(ValidationError):
        services.application_invite_to_full(application=full, by=staff_user)

    assert Application.objects.count() == 1
    assert Application.objects.get(pk=full.pk).status == S.UNDER_ASSESSMENT


# --- Eligibility and withdrawal -------------------------------------------------------------


def test_application_record_eligibility_not_eligible_needs_a_reason(staff_user):
    application = application_in(S.SUBMITTED)

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
    application = application_in(S.SUBMITTED)

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
