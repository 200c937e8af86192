"""Reads of partners data used in more than one place, scoped to who is asking."""

from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.db.models import Count, Q, QuerySet
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode

from svd_portal.filters import filter_data

from .enums import PROVIDER_KINDS, MembershipStatus, VerificationStatus
from .filters import OrganisationFilter
from .models import Membership, Organisation, User
from .validators import normalise_charity_number, normalise_company_number


class SignUpTokenGenerator(PasswordResetTokenGenerator):
    """The token in the link that finishes a sign-up: a salt of its own, so it is no password
    reset token; dead once the account is active or its password changes, and after
    PASSWORD_RESET_TIMEOUT."""

    key_salt = "partners.selectors.SignUpTokenGenerator"

    def _make_hash_value(self, user, timestamp):
        return f"{super()._make_hash_value(user, timestamp)}{user.is_active}"


sign_up_tokens = SignUpTokenGenerator()


def user_awaiting_confirmation(*, uidb64: str, token: str) -> User | None:
    """The account a sign-up link finishes, or None if the link is wrong, used or expired."""
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError):
        return None
    if not 0 < pk < 2**63:  # beyond the column's range: no such account
        return None
    user = User.objects.filter(pk=pk, is_active=False, last_login__isnull=True).first()
    if user is None or not sign_up_tokens.check_token(user, token):
        return None
    return user


def memberships_for_user(*, user) -> QuerySet[Membership]:
    """A person's own memberships, with their organisations, newest request first."""
    return (
        Membership.objects.filter(user=user)
        .select_related("organisation")
        .order_by("-requested_at", "-pk")
    )


def organisations_for_staff(*, params) -> OrganisationFilter:
    """Every organisation, for OPCC staff, with the count of people waiting to join,
    filtered by `params` (the query string): `.qs` is the list, filtered by every value
    that could be used, and `.form` says which could not."""
    organisations = Organisation.objects.annotate(
        pending_requests=Count(
            "memberships", filter=Q(memberships__status=MembershipStatus.REQUESTED)
        )
    ).order_by("name", "pk")
    return OrganisationFilter(filter_data(params, OrganisationFilter), organisations)


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
