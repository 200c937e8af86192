"""Reads of grants data used in more than one place, scoped to who is asking."""

from decimal import Decimal, InvalidOperation

from django.db.models import Prefetch, Q, QuerySet

from partners.enums import REGISTERED_KINDS, MembershipStatus
from partners.models import Organisation
from partners.rules import is_opcc_staff

from .enums import ApplicationStatus, RoundStatus
from .models import Application, FundingRound


def rounds_public() -> QuerySet[FundingRound]:
    """Rounds the public may see: everything but drafts, with what the pages show."""
    return (
        FundingRound.objects.exclude(status=RoundStatus.DRAFT)
        .prefetch_related("caps", "priorities", "criteria")
        .order_by("-opens_at", "pk")
    )


def rounds_for_staff() -> QuerySet[FundingRound]:
    return FundingRound.objects.order_by("-opens_at", "pk")


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


def _decimal(value: str) -> Decimal | None:
    try:
        return Decimal(value.replace(",", "").replace("£", "").strip())
    except (InvalidOperation, AttributeError):
        return None


def applications_for_staff_list(
    *, funding_round: FundingRound, filters: dict
) -> QuerySet[Application]:
    """A round's applications for the staff list and its exports, filtered and searched."""
    applications = (
        Application.objects.filter(round=funding_round)
        .select_related("organisation", "evidence_strand")
        .prefetch_related(Prefetch("priorities"))
        .order_by("-created_at", "-pk")
    )
    status = filters.get("status") or ""
    if status in ApplicationStatus.values:
        applications = applications.filter(status=status)
    priority = filters.get("priority") or ""
    if priority.isdigit():
        applications = applications.filter(priorities__pk=int(priority))
    category = filters.get("category") or ""
    if category == "registered":
        applications = applications.filter(organisation__kind__in=sorted(REGISTERED_KINDS))
    elif category == "unregistered":
        applications = applications.exclude(organisation__kind__in=sorted(REGISTERED_KINDS))
    minimum = _decimal(filters.get("min_amount") or "")
    if minimum is not None:
        applications = applications.filter(amount_requested__gte=minimum)
    maximum = _decimal(filters.get("max_amount") or "")
    if maximum is not None:
        applications = applications.filter(amount_requested__lte=maximum)
    query = (filters.get("q") or "").strip()[:200]
    if query:
        applications = applications.filter(
            Q(reference__iexact=query)
            | Q(title__icontains=query)
            | Q(organisation__name__icontains=query)
        )
    return applications
