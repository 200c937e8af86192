"""What partners holds about a person, for subject access (svd_portal/subject_access.py):
their account, memberships and second factor (whether one is set up; never its secrets)."""

from svd_portal.subject_access import Held, register

from . import two_factor
from .models import Membership


def _account(person) -> Held:
    return Held(
        [
            {
                "email": person.email,
                "full_name": person.full_name,
                "roles": sorted(group.name for group in person.groups.all()),
                "active": person.is_active,
                "joined": person.date_joined,
                "last_signed_in": person.last_login,
                "second_factor_set_up": two_factor.app_device(person) is not None,
                "recovery_codes_left": two_factor.recovery_codes_left(person),
            }
        ]
    )


def _memberships(person) -> Held:
    return Held(
        [
            {
                "organisation": membership.organisation.name,
                "status": membership.get_status_display(),
                "authorised_signatory": membership.is_signatory,
                "asked_on": membership.requested_at,
                "decided_on": membership.decided_at,
            }
            for membership in Membership.objects.filter(user=person)
            .select_related("organisation")
            .order_by("requested_at", "pk")
        ]
    )


def connect() -> None:
    register("account", _account)
    register("memberships", _memberships)
