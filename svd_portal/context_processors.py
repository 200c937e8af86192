from django.conf import settings

from partners import rules as partner_rules
from partners.middleware import IDLE_ENDS

# Which navigation item a page belongs to, by the start of its path.
NAVIGATION_SECTIONS = [
    ("/funding/", "funding"),
    ("/decisions/", "decisions"),
    ("/applications/", "applications"),
    ("/grants/mine/", "grants"),
    ("/grants/", "register"),
    ("/organisations/", "organisations"),
    ("/panel/", "panels"),
    ("/staff/rounds/", "rounds"),
    ("/staff/applications/", "rounds"),
    ("/staff/organisations/", "staff-organisations"),
    ("/staff/decisions/", "decision-records"),
    ("/staff/streams/", "money"),
    ("/staff/awards/", "money"),
    ("/staff/agreement-templates/", "money"),
    ("/staff/payments/", "money"),
    ("/staff/returns/", "money"),
    ("/staff/dashboard/", "dashboard"),
    ("/accounts/", "account"),
]


def portal(request):
    """Names every page shows in its header and footer, and which of the header's own links
    the person signed in gets (by role: a link is a convenience, never access control)."""
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    return {
        "PORTAL_ORGANISATION_NAME": settings.PORTAL_ORGANISATION_NAME,
        "PORTAL_SERVICE_NAME": settings.PORTAL_SERVICE_NAME,
        "PORTAL_CONTACT_EMAIL": settings.PORTAL_CONTACT_EMAIL,
        "GOVUK_FRONTEND_VERSION": settings.GOVUK_FRONTEND_VERSION,
        "nav_provider": signed_in and partner_rules.is_provider(user),
        "nav_panel_member": signed_in and partner_rules.is_panel_member(user),
        "nav_staff": signed_in and partner_rules.is_opcc_staff(user),
        "nav_decision_records": signed_in and partner_rules.is_opcc(user),
        # A staff-side session ends when unused: its pages warn before it does.
        "session_idle_ends": signed_in and bool(request.session.get(IDLE_ENDS)),
        "SESSION_IDLE_MINUTES": settings.SESSION_IDLE_MINUTES,
        "SESSION_IDLE_WARNING_MINUTES": settings.SESSION_IDLE_WARNING_MINUTES,
        "nav_current": next(
            (name for prefix, name in NAVIGATION_SECTIONS if request.path.startswith(prefix)), ""
        ),
    }
