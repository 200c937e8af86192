from django.conf import settings


def portal(request):
    """Names every page shows in its header and footer."""
    return {
        "PORTAL_ORGANISATION_NAME": settings.PORTAL_ORGANISATION_NAME,
        "PORTAL_SERVICE_NAME": settings.PORTAL_SERVICE_NAME,
        "PORTAL_CONTACT_EMAIL": settings.PORTAL_CONTACT_EMAIL,
        "GOVUK_FRONTEND_VERSION": settings.GOVUK_FRONTEND_VERSION,
    }
