"""Background work for grants: mail to applicants, and rounds that close on their date."""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string

from . import services
from .enums import ApplicationStatus, status_for_applicant
from .models import Application


@shared_task(
    name="grants.send_application_email",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def send_application_email(*, application_id: int, from_status: str, to_status: str) -> int:
    """Emails the applicant about a status change (a receipt on submission), at the
    addresses services.applicant_mail gives.

    Returns the number of people written to; 0 when the application is gone.
    """
    application = (
        Application.objects.select_related("round", "organisation", "submitted_by")
        .filter(pk=application_id)
        .first()
    )
    if application is None:
        return 0
    recipients = services.applicant_mail(application).emails
    if not recipients:
        return 0
    receipt = to_status == ApplicationStatus.SUBMITTED
    context = {
        "application": application,
        "from_label": status_for_applicant(from_status),
        "to_label": status_for_applicant(to_status),
        "service_name": settings.PORTAL_SERVICE_NAME,
        "organisation_name": settings.PORTAL_ORGANISATION_NAME,
    }
    template = "grants/email/receipt.txt" if receipt else "grants/email/status_changed.txt"
    subject = (
        f"Application received: {application.reference}"
        if receipt
        else f"Your application {application.reference} is now: {context['to_label'].lower()}"
    )
    send_mail(subject, render_to_string(template, context), None, recipients)
    return len(recipients)


@shared_task(name="grants.rounds_follow_dates")
def rounds_follow_dates() -> list[str]:
    """Closes rounds whose closing time has passed (run every few minutes by beat)."""
    return services.rounds_follow_dates()
