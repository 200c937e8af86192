"""The application workflow: APPLICATION_MOVES and `application_move`, which performs every
move; submission, withdrawal, eligibility and invitation call it, and the applicant is told."""

import datetime
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from partners.enums import MembershipStatus, VerificationStatus
from partners.models import User
from partners.rules import is_opcc_staff
from svd_portal.formatting import money
from svd_portal.history import attributed, record_created
from svd_portal.permissions import require_perm
from svd_portal.tasks import enqueue
from svd_portal.workflow import Moved, Workflow, move

from ..enums import (
    PANEL_ADVICE_STATUSES,
    ApplicationStatus,
    Channel,
    RoundStatus,
    Stage,
)
from ..models import (
    Application,
    ApplicationStatusChange,
    BudgetLine,
)
from ..sections import EDITABLE_FIELDS, incomplete_sections
from .applications import (
    _live_applications,
    allocate_reference,
    cap_for,
    cap_words,
    check_draft,
    check_editor,
)

S = ApplicationStatus
APPLICATION_MOVES = {
    S.DRAFT: {S.SUBMITTED, S.WITHDRAWN},
    S.SUBMITTED: {S.INELIGIBLE, S.UNDER_ASSESSMENT, S.WITHDRAWN},
    S.INELIGIBLE: {S.UNDER_ASSESSMENT, S.WITHDRAWN},
    S.UNDER_ASSESSMENT: {S.INVITED, S.NOT_INVITED, S.RECOMMENDED, S.NOT_RECOMMENDED, S.WITHDRAWN},
    S.RECOMMENDED: {S.NOT_RECOMMENDED, S.AWARDED, S.DECLINED, S.WITHDRAWN},
    S.NOT_RECOMMENDED: {S.RECOMMENDED, S.DECLINED, S.WITHDRAWN},
    S.INVITED: set(),
    S.NOT_INVITED: set(),
    S.AWARDED: set(),
    S.DECLINED: set(),
    S.WITHDRAWN: set(),
}
APPLICATION = Workflow(
    Application, APPLICATION_MOVES, noun="An application", log=ApplicationStatusChange
)
# The full application's stage-specific moves.
STAGE_ONLY = {
    S.INVITED: Stage.EOI,
    S.NOT_INVITED: Stage.EOI,
    S.RECOMMENDED: Stage.FULL,
    S.NOT_RECOMMENDED: Stage.FULL,
    S.AWARDED: Stage.FULL,
    S.DECLINED: Stage.FULL,
}


class ApplicantMail(NamedTuple):
    """Where news of an application goes."""

    emails: list[str]  # every address the receipt and status emails go to
    # Set when the applicant of a logged bid gave no email address: the postal address
    # on one line, for "A letter is needed: …" (empty if none was recorded).
    letter_to: str | None


def applicant_mail(application: Application) -> ApplicantMail:
    """Who is told about an application: the organisation's active members for any bid
    (they can read and withdraw it), and the submitter of a portal bid; for a logged bid
    the person who sent it, by email or else by letter, never the staff who logged it."""
    emails = set(
        application.organisation.memberships.filter(status=MembershipStatus.ACTIVE).values_list(
            "user__email", flat=True
        )
    )
    if application.channel == Channel.PORTAL:
        if application.submitted_by_id:
            emails.add(application.submitted_by.email)
        return ApplicantMail(emails=sorted(emails), letter_to=None)
    if application.contact_email:
        emails.add(application.contact_email)
        return ApplicantMail(emails=sorted(emails), letter_to=None)
    lines = (line.strip() for line in application.contact_address.splitlines())
    return ApplicantMail(emails=sorted(emails), letter_to=", ".join(filter(None, lines)))


def _queue_status_email(moved: Moved) -> None:
    if moved.to_status in PANEL_ADVICE_STATUSES:
        return  # advice to the PCC, not news for the applicant
    enqueue(
        "grants.send_application_email",
        application_id=moved.instance.pk,
        from_status=moved.from_status,
        to_status=moved.to_status,
    )


def _check_stage(application: Application, to_status: str) -> None:
    stage = STAGE_ONLY.get(to_status)
    if stage and application.stage != stage:
        raise ValidationError(
            "Only an expression of interest can be invited to a full application"
            if stage == Stage.EOI
            else "Only a full application can be recommended, awarded or declined"
        )


@attributed
def application_move(
    *, application: Application, to_status: str, by: User | None, reason: str = ""
) -> Application:
    """Performs one move of APPLICATION_MOVES and emails the applicant once it is saved.

    The kernel of the services below, of the chair's moderation and of a signed decision:
    it checks the move, not the mover, because who may make a move depends on why it is
    made (the applicant withdraws; a decision signed by the PCC awards). Each caller checks
    who is acting first; call a service that does, not this.
    """
    return move(
        APPLICATION,
        application,
        to_status,
        by=by,
        reason=reason,
        guard=lambda locked: _check_stage(locked, to_status),
        then=_queue_status_email,
    )


class Problem(NamedTuple):
    """Something that stops a submission, and the section of the form where it is put
    right (none when the applicant cannot: the round closed, the organisation unverified)."""

    message: str
    section: str | None = None
    # About when: a bid staff log is judged by when it was received, given with the submit.
    about_time: bool = False


def submission_problems(
    application: Application, *, at: datetime.datetime, received_earlier: bool = False
) -> list[Problem]:
    """Everything that stops an application being submitted at `at`, in plain words, each
    with the section that puts it right.

    A bid that staff log from email or paper (`received_earlier`) counts from when it
    arrived: only the dates matter then, since the round may have closed since.
    """
    problems = []
    funding_round = application.round
    early_close = funding_round.early_close
    closed_early = early_close is not None and at >= early_close.changed_at
    if received_earlier:
        on_time = (
            funding_round.status not in (RoundStatus.DRAFT, RoundStatus.DECIDED)
            and funding_round.within_dates(stage=application.stage, at=at)
            and not closed_early
        )
    else:
        on_time = funding_round.is_accepting(stage=application.stage, at=at)
    if not on_time and closed_early:
        closed_on = date_format(timezone.localtime(early_close.changed_at), "j F Y")
        problems.append(
            Problem(
                f"Closed early by the OPCC on {closed_on}: the round no longer takes applications",
                about_time=True,
            )
        )
    elif not on_time:
        problems.append(
            Problem(
                "The round is not open for applications: the closing time has passed",
                about_time=True,
            )
        )
    if application.organisation.verification_status != VerificationStatus.VERIFIED:
        problems.append(Problem(f"{application.organisation.name} is not verified"))
    for section in incomplete_sections(application):
        problems.append(Problem(f"Complete the section ‘{section.title}’", section.slug))
    # The amount requested is the budget lines' total (services.budget_line_add).
    amount = application.amount_requested
    cap = cap_for(funding_round=funding_round, organisation=application.organisation)
    if amount is not None and cap is not None:
        kind = cap_words(application.organisation)
        if amount > cap.maximum:
            problems.append(
                Problem(
                    f"The most {kind} organisation can ask for is {money(cap.maximum)}; "
                    f"your budget comes to {money(amount)}",
                    "budget",
                )
            )
        if amount < cap.minimum:
            problems.append(
                Problem(
                    f"The least {kind} organisation can ask for is {money(cap.minimum)}; "
                    f"your budget comes to {money(amount)}",
                    "budget",
                )
            )
    if not funding_round.allow_multiple_applications and (
        _live_applications(
            funding_round=funding_round,
            organisation=application.organisation,
            stage=application.stage,
            exclude_pk=application.pk,
        )
        .exclude(status=S.DRAFT)
        .exists()
    ):
        problems.append(
            Problem(
                f"{application.organisation.name} has already submitted an application to "
                "this round"
            )
        )
    return problems


@attributed
@transaction.atomic
def application_submit(
    *, application: Application, by: User, received_at: datetime.datetime | None = None
) -> Application:
    """Submits a draft once every rule holds; otherwise refuses and changes nothing.

    The rules are checked at this moment under a row lock, so a double submit makes
    one submission. A bid logged by staff counts from when it was received.
    """
    application = (
        Application.objects.select_for_update()
        .select_related("round", "organisation")
        .prefetch_related("budget_lines", "priorities", "success_measures", "round__caps")
        .get(pk=application.pk)
    )
    check_draft(application)
    check_editor(application, by, doing="submit")
    now = timezone.now()
    if received_at is not None:
        if application.channel == Channel.PORTAL:
            raise ValidationError("Only bids logged by staff have a separate received time")
        if not is_opcc_staff(by):
            raise ValidationError("Only OPCC staff can record when a bid was received")
        if received_at > now:
            raise ValidationError({"received_at": "The received time cannot be in the future"})
    at = received_at or now
    problems = submission_problems(application, at=at, received_earlier=received_at is not None)
    if problems:
        raise ValidationError([problem.message for problem in problems])
    application.submitted_at = at
    application.submitted_by = by
    application.save(update_fields=["submitted_at", "submitted_by", "updated_at"])
    return application_move(application=application, to_status=S.SUBMITTED, by=by)


@attributed
@transaction.atomic
def application_withdraw(*, application: Application, by: User, reason: str = "") -> Application:
    """The provider withdraws an application that is not yet decided; no one else can."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    # A decided one is refused by the move itself, with the workflow's message.
    if S.WITHDRAWN in APPLICATION_MOVES[application.status]:
        require_perm(
            by,
            "grants.withdraw_application",
            application,
            message="Only the applicant can withdraw this application",
        )
    return application_move(application=application, to_status=S.WITHDRAWN, by=by, reason=reason)


@attributed
def application_record_eligibility(
    *, application: Application, eligible: bool, reason: str, by: User
) -> Application:
    """Staff record the eligibility check of a submitted application, with a reason when not eligible."""
    require_perm(
        by,
        "grants.record_eligibility",
        application,
        message="Only OPCC staff can record whether an application is eligible",
    )
    if not eligible and not reason.strip():
        raise ValidationError({"reason": "Give the reason the application is not eligible"})
    to_status = S.UNDER_ASSESSMENT if eligible else S.INELIGIBLE
    return application_move(application=application, to_status=to_status, by=by, reason=reason)


@attributed
@transaction.atomic
def application_invite_to_full(
    *, application: Application, by: User, reason: str = ""
) -> Application:
    """Invites an expression of interest to the full stage; the full application starts from it."""
    require_perm(
        by,
        "grants.invite_to_full",
        application,
        message="Only OPCC staff can invite an expression of interest to apply in full",
    )
    eoi = application_move(application=application, to_status=S.INVITED, by=by, reason=reason)
    full = Application.objects.create(
        round=eoi.round,
        organisation=eoi.organisation,
        stage=Stage.FULL,
        parent=eoi,
        reference=allocate_reference(eoi.round),
        channel=eoi.channel,
        contact_name=eoi.contact_name,
        contact_email=eoi.contact_email,
        contact_address=eoi.contact_address,
        created_by=by,
        # The amount is the budget lines' total, and the lines come too.
        amount_requested=eoi.amount_requested,
        **{name: getattr(eoi, name) for name in EDITABLE_FIELDS if not name.startswith("declare_")},
    )
    full.priorities.set(eoi.priorities.all())
    full.success_measures.set(eoi.success_measures.all())
    record_created(
        BudgetLine.objects.bulk_create(
            BudgetLine(
                application=full,
                item=line.item,
                financial_year=line.financial_year,
                cost_kind=line.cost_kind,
                amount=line.amount,
            )
            for line in eoi.budget_lines.all()
        )
    )
    return full
