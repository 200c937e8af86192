"""Reads of rounds and applications, scoped to who is asking."""

from django.db.models import Prefetch, QuerySet

from partners.enums import MembershipStatus, VerificationStatus
from partners.models import Membership, Organisation
from partners.rules import is_opcc_staff
from svd_portal.filters import filter_data

from ..enums import (
    ApplicationStatus,
    Channel,
    RoundStatus,
)
from ..filters import ApplicationFilter
from ..models import (
    Application,
    FundingRound,
)


def rounds_public(*, in_full: bool = False) -> QuerySet[FundingRound]:
    """Rounds the public may see: everything but drafts, with what the list shows (the
    status changes are what FundingRound.early_close reads); `in_full` adds the priorities
    and criteria that a round's own page shows. (Fetching those for a list of 50 rounds
    made 600 objects a request the list never showed.)"""
    rounds = (
        FundingRound.objects.exclude(status=RoundStatus.DRAFT)
        .prefetch_related("caps", "status_changes")
        .order_by("-opens_at", "pk")
    )
    return rounds.prefetch_related("priorities", "criteria") if in_full else rounds


def rounds_for_staff() -> QuerySet[FundingRound]:
    return FundingRound.objects.prefetch_related("status_changes").order_by("-opens_at", "pk")


def round_draft_holders(*, funding_round: FundingRound) -> dict[str, list[Application]]:
    """Who holds a draft in the round, by email address, with their drafts: the active
    members of each portal draft's organisation. A bid staff logged from email or paper
    is held by no one here: its sender never used the portal."""
    drafts = list(
        Application.objects.filter(
            round=funding_round, status=ApplicationStatus.DRAFT, channel=Channel.PORTAL
        ).order_by("reference")
    )
    members: dict[int, set[str]] = {}
    for organisation_id, email in Membership.objects.filter(
        organisation_id__in={draft.organisation_id for draft in drafts},
        status=MembershipStatus.ACTIVE,
        user__is_active=True,
    ).values_list("organisation_id", "user__email"):
        members.setdefault(organisation_id, set()).add(email)
    holders: dict[str, list[Application]] = {}
    for draft in drafts:
        for email in sorted(members.get(draft.organisation_id, ())):
            holders.setdefault(email, []).append(draft)
    return dict(sorted(holders.items()))


def applications_for_user(*, user) -> QuerySet[Application]:
    """Staff see every application; anyone else only their own organisations'."""
    applications = Application.objects.select_related("round", "organisation")
    if is_opcc_staff(user):
        return applications
    return applications.filter(
        organisation__memberships__user=user,
        organisation__memberships__status=MembershipStatus.ACTIVE,
    )


def application_for_page(*, user, reference: str) -> Application:
    """One application with what its pages show, or DoesNotExist for anyone not allowed to see it."""
    return (
        applications_for_user(user=user)
        .prefetch_related(
            "budget_lines",
            "attachments",
            "priorities",
            "success_measures",
            "round__caps",
            "round__priorities",
        )
        .select_related("evidence_strand", "submitted_by", "parent")
        .get(reference=reference)
    )


def organisations_for_applying(*, user) -> QuerySet[Organisation]:
    """The verified organisations a person may apply for."""
    return Organisation.objects.filter(
        memberships__user=user, memberships__status=MembershipStatus.ACTIVE
    ).order_by("name")


def organisations_waiting_for_verification(*, user) -> list[Organisation]:
    """The person's organisations still waiting for OPCC staff to verify them, when none of
    their organisations is verified yet: they cannot apply until one is."""
    if not user.is_authenticated:
        return []
    organisations = list(organisations_for_applying(user=user))
    if any(o.verification_status == VerificationStatus.VERIFIED for o in organisations):
        return []
    return [o for o in organisations if o.verification_status == VerificationStatus.PENDING]


def applications_for_staff_list(*, funding_round: FundingRound, params) -> ApplicationFilter:
    """A round's applications for the staff list and its exports, filtered by `params`
    (the query string): `.qs` is the list, filtered by every value that could be used,
    and `.form` says which could not."""
    applications = (
        Application.objects.filter(round=funding_round)
        .select_related("organisation", "evidence_strand")
        .prefetch_related(Prefetch("priorities"))
        .order_by("-created_at", "-pk")
    )
    return ApplicationFilter(
        filter_data(params, ApplicationFilter), applications, funding_round=funding_round
    )
