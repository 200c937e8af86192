"""Background work for grants: mail to applicants, and rounds that close on their date."""

from urllib.parse import urljoin

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail, send_mass_mail
from django.template.loader import render_to_string
from django.urls import reverse

from svd_portal.links import absolute_url

from . import selectors, services
from .enums import ApplicationStatus, status_for_applicant
from .models import Application, FundingRound, PanelMember


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
        "url": absolute_url("grants:application-detail", application.reference),
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


@shared_task(
    name="grants.send_round_closed_early_emails",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def send_round_closed_early_emails(*, round_id: int, base_url: str) -> int:
    """Tells each holder of a draft in the round that OPCC staff closed it early, and why:
    one email a person, linking to each of their drafts.

    Returns the number of people written to; 0 when the round is gone or no longer closed
    early (reopened since).
    """
    funding_round = FundingRound.objects.filter(pk=round_id).first()
    if funding_round is None or funding_round.early_close is None:
        return 0
    context = {
        "round": funding_round,
        "early_close": funding_round.early_close,
        "deadline": funding_round.full_stage_closes_at or funding_round.closes_at,
        "service_name": settings.PORTAL_SERVICE_NAME,
        "organisation_name": settings.PORTAL_ORGANISATION_NAME,
        "contact_email": settings.PORTAL_CONTACT_EMAIL,
    }
    subject = f"Funding round closed early: {funding_round.title}"
    messages = []
    for email, drafts in selectors.round_draft_holders(funding_round=funding_round).items():
        links = [
            (draft, urljoin(base_url, reverse("grants:application-detail", args=[draft.reference])))
            for draft in drafts
        ]
        body = render_to_string("grants/email/round_closed_early.txt", {**context, "drafts": links})
        messages.append((subject, body, None, [email]))
    # One connection for them all: a mail server that cannot be reached fails the task
    # before anything is sent, and the retry starts clean.
    return send_mass_mail(messages) if messages else 0


@shared_task(
    name="grants.send_panel_added_emails",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def send_panel_added_emails(*, member_ids: list[int]) -> int:
    """Tells each newly added panel member that they are on the round's panel, with a
    link to their work there. Members removed since are skipped.

    Returns the number of people written to.
    """
    members = PanelMember.objects.filter(pk__in=member_ids).select_related(
        "user", "organisation", "panel__round", "panel__chair"
    )
    messages = []
    for member in members:
        funding_round = member.panel.round
        context = {
            "member": member,
            "round": funding_round,
            "is_chair": member.panel.chair_id == member.user_id,
            "url": absolute_url("grants:panel-round", funding_round.slug),
            "service_name": settings.PORTAL_SERVICE_NAME,
            "organisation_name": settings.PORTAL_ORGANISATION_NAME,
        }
        subject = f"You are on the scoring panel for {funding_round.title}"
        body = render_to_string("grants/email/panel_added.txt", context)
        messages.append((subject, body, None, [member.user.email]))
    # One connection for them all, as for the round closed early.
    return send_mass_mail(messages) if messages else 0


@shared_task(name="grants.rounds_follow_dates")
def rounds_follow_dates() -> list[str]:
    """Closes rounds whose closing time has passed (run every few minutes by beat)."""
    return services.rounds_follow_dates()
