from django.conf import settings

from partners import rules as partner_rules


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
    }
