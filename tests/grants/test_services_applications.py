"""grants.services.applications: starting an application (references, who may, which round)
and editing a draft."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from grants import services
from grants.enums import (
    ApplicationStatus,
    Channel,
    RoundStages,
    RoundStatus,
    Stage,
)
from grants.models import (
    Application,
    FundingRound,
)
from grants.sections import WORD_LIMITS
from partners.enums import OrganisationKind
from tests.factories import (
    FundingRoundFactory,
    MembershipFactory,
    OrganisationFactory,
    StrategicPriorityFactory,
)
from tests.factories.grants import EvidenceStrandFactory, SuccessMeasureFactory
from tests.grants.helpers import application_in, member_of, snapshot

S = ApplicationStatus
R = RoundStatus


# --- Starting ---------------------------------------------------------------------------


def test_application_start_allocates_consecutive_references(open_round, provider_user):
    boxing, youth_work = OrganisationFactory(), OrganisationFactory()
    first = services.application_start(
        funding_round=open_round,
        organisation=boxing,
        by=member_of(boxing),
        title="  Friday night boxing  ",
    )
    second = services.application_start(
        funding_round=open_round,
        organisation=youth_work,
        by=member_of(youth_work),
        title="Detached youth work",
    )

    assert (first.reference, second.reference) == ("VPF-0001", "VPF-0002")
    assert (first.title, first.status, first.stage, first.channel) == (
        "Friday night boxing",
        S.DRAFT,
        Stage.FULL,
        Channel.PORTAL,
    )
    assert FundingRound.objects.get(pk=open_round.pk).next_application_number == 3


def test_application_start_two_stage_round_starts_an_expression_of_interest(provider_org):
    two_stage = FundingRoundFactory(
        stages=RoundStages.TWO_STAGE,
        full_stage_closes_at=timezone.now() + datetime.timedelta(days=60),
    )

    application = services.application_start(
        funding_round=two_stage,
        organisation=provider_org,
        by=provider_org.memberships.get().user,
        title="Mentoring",
    )

    assert application.stage == Stage.EOI


def test_application_start_unverified_organisation_refused(open_round, provider_user):
    pending = OrganisationFactory(name="New Group", pending=True)
    MembershipFactory(user=provider_user, organisation=pending)

    with pytest.raises(ValidationError) as exc:
        services.application_start(
            funding_round=open_round, organisation=pending, by=provider_user, title="Project"
        )

    assert exc.value.messages == ["New Group must be verified by OPCC staff before it can apply"]
    assert Application.objects.count() == 0
    assert FundingRound.objects.get(pk=open_round.pk).next_application_number == 1


def test_application_start_non_provider_organisation_refused(open_round):
    police = OrganisationFactory(kind=OrganisationKind.POLICE)

    with pytest.raises(ValidationError) as exc:
        services.application_start(
            funding_round=open_round, organisation=police, by=member_of(police), title="Project"
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
        opens_at=timezone.now() + datetime.timedelta(days=opens_in_days),
        closes_at=timezone.now() + datetime.timedelta(days=closes_in_days),
        status=status,
    )

    with pytest.raises(ValidationError) as exc:
        services.application_start(
            funding_round=not_open, organisation=provider_org, by=provider_user, title="Project"
        )

    assert exc.value.messages == ["This round is not open for applications"]
    assert Application.objects.count() == 0


def test_application_start_second_live_application_refused(open_round, provider_org, provider_user):
    services.application_start(
        funding_round=open_round, organisation=provider_org, by=provider_user, title="One"
    )

    with pytest.raises(ValidationError) as exc:
        services.application_start(
            funding_round=open_round, organisation=provider_org, by=provider_user, title="Two"
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


def test_application_start_blank_title_refused(open_round, provider_org, provider_user):
    with pytest.raises(ValidationError) as exc:
        services.application_start(
            funding_round=open_round, organisation=provider_org, by=provider_user, title="   "
        )

    assert exc.value.message_dict == {"title": ["Enter the project title"]}


def test_application_start_staff_may_log_a_bid_after_closing(provider_org, staff_user):
    past = FundingRoundFactory(
        opens_at=timezone.now() - datetime.timedelta(days=30),
        closes_at=timezone.now() - datetime.timedelta(days=1),
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
    before = snapshot(draft)

    with pytest.raises(ValidationError) as exc:
        services.application_update(
            application=draft,
            by=provider_user,
            fields={"title": "A new title", field: " ".join(["word"] * (limit + 1))},
        )

    assert exc.value.message_dict == {field: [f"Use {limit} words or fewer (you have {limit + 1})"]}
    assert snapshot(draft) == before


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
    submitted = application_in(S.SUBMITTED, title="Submitted title")

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
