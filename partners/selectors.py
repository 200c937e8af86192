"""Reads of partners data used in more than one place, scoped to who is asking."""

from django.db.models import Count, Q, QuerySet

from .enums import PROVIDER_KINDS, MembershipStatus, VerificationStatus
from .models import Membership, Organisation
from .validators import normalise_charity_number, normalise_company_number


def memberships_for_user(*, user) -> QuerySet[Membership]:
    """A person's own memberships, with their organisations, newest request first."""
    return (
        Membership.objects.filter(user=user)
        .select_related("organisation")
        .order_by("-requested_at", "-pk")
    )


def organisations_for_staff(*, status: str = "", query: str = "") -> QuerySet[Organisation]:
    """Every organisation, for OPCC staff, with the count of people waiting to join."""
    organisations = Organisation.objects.annotate(
        pending_requests=Count(
            "memberships", filter=Q(memberships__status=MembershipStatus.REQUESTED)
        )
    ).order_by("name", "pk")
    if status:
        organisations = organisations.filter(verification_status=status)
    if query:
        organisations = organisations.filter(
            Q(name__icontains=query)
            | Q(charity_number=normalise_charity_number(query))
            | Q(company_number=normalise_company_number(query))
        )
    return organisations


def organisations_awaiting_verification_count() -> int:
    return Organisation.objects.filter(verification_status=VerificationStatus.PENDING).count()


def membership_requests_count() -> int:
    return Membership.objects.filter(status=MembershipStatus.REQUESTED).count()


def organisation_find_for_joining(*, identifier: str) -> Organisation | None:
    """The organisation a person asks to join, by charity number, company number or exact name."""
    identifier = identifier.strip()
    if not identifier:
        return None
    return (
        Organisation.objects.filter(
            Q(charity_number=normalise_charity_number(identifier))
            | Q(company_number=normalise_company_number(identifier))
            | Q(name__iexact=identifier)
        )
        .filter(kind__in=sorted(PROVIDER_KINDS))
        .exclude(verification_status=VerificationStatus.REJECTED)
        .order_by("pk")
        .first()
    )
