"""Background work for grants: mail to applicants and grant holders, rounds that close on
their date, agreement PDFs, awards that become active when delivery starts, and monitoring
returns: their reminders and what became of them."""

from urllib.parse import urljoin

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail, send_mass_mail
from django.template.loader import render_to_string
from django.urls import reverse

from partners.enums import MembershipStatus
from svd_portal.links import absolute_url
from svd_portal.pdfs import RENDER_TASK_OPTIONS

from . import selectors, services
from .enums import (
    AgreementOutcome,
    ApplicationStatus,
    DiligenceItem,
    ReminderKind,
    ReturnStatus,
    VariationStatus,
    status_for_applicant,
)
from .models import (
    Agreement,
    Application,
    BankAccount,
    DiligenceCheck,
    FundingRound,
    MonitoringReturn,
    PanelMember,
    Variation,
)


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


# --- Awards: due diligence, agreements -------------------------------------------------


def _members_emails(organisation) -> list[str]:
    return sorted(
        organisation.memberships.filter(status=MembershipStatus.ACTIVE).values_list(
            "user__email", flat=True
        )
    )


def _mail_context(**context) -> dict:
    return {
        **context,
        "service_name": settings.PORTAL_SERVICE_NAME,
        "organisation_name": settings.PORTAL_ORGANISATION_NAME,
        "contact_email": settings.PORTAL_CONTACT_EMAIL,
    }


@shared_task(name="grants.render_agreement", **RENDER_TASK_OPTIONS)
def render_agreement(*, document_id: int) -> str:
    """Renders and signs one agreement PDF. Idempotent; a failure is recorded and retried."""
    document = services.agreement_render(document_id=document_id)
    return document.status if document else "gone"


@shared_task(name="grants.sweep_agreements")
def sweep_agreements() -> list[int]:
    """Queues again the agreement PDFs stuck or failed (every minute)."""
    return services.agreements_sweep()


@shared_task(name="grants.activate_awards")
def activate_awards() -> list[str]:
    """Accepted awards whose delivery has started become active (hourly; idempotent)."""
    return services.awards_activate_due()


@shared_task(
    name="grants.send_agreement_email",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def send_agreement_email(*, agreement_id: int, outcome: str) -> int:
    """Tells the organisation's members that an agreement was offered, accepted, declined
    or sent back for changes; and the member of staff who offered it of the answer.

    Returns the number of people written to; 0 when the agreement is gone.
    """
    agreement = (
        Agreement.objects.select_related("award__organisation", "offered_by")
        .filter(pk=agreement_id)
        .first()
    )
    if agreement is None:
        return 0
    award = agreement.award
    recipients = _members_emails(award.organisation)
    if outcome != AgreementOutcome.OFFERED:
        recipients = sorted({*recipients, agreement.offered_by.email})
    subjects = {
        AgreementOutcome.OFFERED: f"Grant offered: {award.reference}, {award.title}",
        AgreementOutcome.ACCEPTED: f"Grant agreement accepted: {award.reference}",
        AgreementOutcome.DECLINED: f"Grant agreement declined: {award.reference}",
        AgreementOutcome.CHANGES_ASKED: f"Changes asked for to grant agreement {award.reference}",
    }
    if outcome not in subjects or not recipients:
        return 0
    body = render_to_string(
        "grants/email/agreement.txt",
        _mail_context(
            agreement=agreement,
            award=award,
            outcome=outcome,
            # The offer links to the agreement to read; an answer to the grant's page.
            url=absolute_url(
                "grants:agreement"
                if outcome == AgreementOutcome.OFFERED
                else "grants:award-detail",
                award.reference,
            ),
        ),
    )
    send_mail(subjects[outcome], body, None, recipients)
    return len(recipients)


@shared_task(
    name="grants.send_diligence_refused_email",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def send_diligence_refused_email(*, check_id: int) -> int:
    """Tells the organisation's members that an item of its due diligence was refused, and
    why. Nothing is sent if the item has been recorded as satisfactory since."""
    check = DiligenceCheck.objects.select_related("award__organisation").filter(pk=check_id).first()
    if check is None or check.satisfactory or check.item == DiligenceItem.FRAUD_RISK:
        return 0
    recipients = _members_emails(check.award.organisation)
    if not recipients:
        return 0
    body = render_to_string(
        "grants/email/diligence_refused.txt",
        _mail_context(
            check=check,
            award=check.award,
            url=absolute_url("grants:award-detail", check.award.reference),
        ),
    )
    subject = f"Before your grant {check.award.reference}: {check.get_item_display().lower()}"
    send_mail(subject, body, None, recipients)
    return len(recipients)


@shared_task(
    name="grants.send_bank_details_changed_email",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def send_bank_details_changed_email(*, account_id: int) -> int:
    """Tells every member of the organisation that its bank details were changed, by whom
    and when, so that a change none of them made is noticed."""
    account = (
        BankAccount.objects.select_related("organisation", "changed_by")
        .filter(pk=account_id)
        .first()
    )
    if account is None:
        return 0
    recipients = _members_emails(account.organisation)
    if not recipients:
        return 0
    body = render_to_string("grants/email/bank_details_changed.txt", _mail_context(account=account))
    send_mail(f"Bank details changed: {account.organisation.name}", body, None, recipients)
    return len(recipients)


@shared_task(name="grants.remind_returns")
def remind_returns() -> int:
    """Queues the reminders of returns coming due or overdue (hourly; each sent once)."""
    return len(services.returns_remind())


def _return(return_id: int) -> MonitoringReturn | None:
    return (
        MonitoringReturn.objects.select_related("award__organisation", "decided_by")
        .filter(pk=return_id)
        .first()
    )


@shared_task(
    name="grants.send_return_reminder",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def send_return_reminder(*, return_id: int, kind: str) -> int:
    """Reminds the grant holder's members of a return coming due, due today or overdue;
    nothing is sent if it has been submitted since."""
    monitoring_return = _return(return_id)
    if monitoring_return is None or monitoring_return.status not in (
        ReturnStatus.DRAFT,
        ReturnStatus.RETURNED,
    ):
        return 0
    award = monitoring_return.award
    recipients = _members_emails(award.organisation)
    if not recipients:
        return 0
    subjects = {
        ReminderKind.BEFORE: f"Return due on {monitoring_return.due_on:%-d %B %Y}",
        ReminderKind.ON_THE_DAY: "Return due today",
        ReminderKind.OVERDUE: "Return overdue: payments are held",
    }
    body = render_to_string(
        "grants/email/return_reminder.txt",
        _mail_context(
            monitoring_return=monitoring_return,
            award=award,
            kind=kind,
            url=absolute_url("grants:return", award.reference, monitoring_return.number),
        ),
    )
    send_mail(f"{subjects[kind]}: {monitoring_return.reference}", body, None, recipients)
    return len(recipients)


@shared_task(
    name="grants.send_return_email",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def send_return_email(*, return_id: int) -> int:
    """Tells the OPCC that a return was submitted, or the grant holder's members that it was
    accepted or returned with what to change (as the return stands when this runs)."""
    monitoring_return = _return(return_id)
    if monitoring_return is None:
        return 0
    award = monitoring_return.award
    status = monitoring_return.status
    if status == ReturnStatus.SUBMITTED:
        recipients = [settings.PORTAL_CONTACT_EMAIL]
        subject = f"Return submitted: {monitoring_return.reference}, {award.organisation.name}"
    elif status in (ReturnStatus.ACCEPTED, ReturnStatus.RETURNED):
        recipients = _members_emails(award.organisation)
        subject = (
            f"Return accepted: {monitoring_return.reference}"
            if status == ReturnStatus.ACCEPTED
            else f"Return sent back for changes: {monitoring_return.reference}"
        )
    else:
        return 0
    if not recipients:
        return 0
    body = render_to_string(
        "grants/email/return_status.txt",
        _mail_context(
            monitoring_return=monitoring_return,
            award=award,
            url=absolute_url("grants:return", award.reference, monitoring_return.number),
        ),
    )
    send_mail(subject, body, None, recipients)
    return len(recipients)


@shared_task(
    name="grants.send_variation_email",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def send_variation_email(*, variation_id: int) -> int:
    """Tells the other side of a variation proposed (the OPCC when the grant holder proposed
    it, the holder's members when staff did), and the holder's members how it was decided."""
    variation = (
        Variation.objects.select_related("award__organisation", "proposed_by")
        .filter(pk=variation_id)
        .first()
    )
    if variation is None:
        return 0
    award = variation.award
    if variation.status == VariationStatus.PROPOSED:
        by_holder = variation.proposed_by.memberships.filter(
            organisation=award.organisation, status=MembershipStatus.ACTIVE
        ).exists()
        recipients = (
            [settings.PORTAL_CONTACT_EMAIL] if by_holder else _members_emails(award.organisation)
        )
        subject = f"Variation proposed: {variation.reference}, {award.organisation.name}"
    elif variation.status in (VariationStatus.APPROVED, VariationStatus.REFUSED):
        recipients = _members_emails(award.organisation)
        subject = f"Variation {variation.get_status_display().lower()}: {variation.reference}"
    else:
        return 0
    if not recipients:
        return 0
    body = render_to_string(
        "grants/email/variation_status.txt",
        _mail_context(
            variation=variation,
            award=award,
            url=absolute_url("grants:variation", award.reference, variation.number),
        ),
    )
    send_mail(subject, body, None, recipients)
    return len(recipients)
