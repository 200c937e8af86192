"""Writes to applications. The workflow is APPLICATION_MOVES and `application_move`, which
performs every move; submission, withdrawal, eligibility and invitation call it.
"""

import datetime
import zipfile
from decimal import Decimal
from typing import NamedTuple

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from partners.enums import MembershipStatus, VerificationStatus
from partners.models import Organisation, User
from partners.rules import is_opcc_staff
from svd_portal.formatting import file_size, money
from svd_portal.history import attributed, record_created
from svd_portal.permissions import require_perm
from svd_portal.tasks import enqueue
from svd_portal.workflow import Moved, Workflow, move

from ..enums import (
    NOT_LIVE_STATUSES,
    PANEL_ADVICE_STATUSES,
    ApplicationStatus,
    CapCategory,
    Channel,
    RoundStatus,
    Stage,
)
from ..models import (
    Application,
    ApplicationStatusChange,
    Attachment,
    AwardCap,
    BudgetLine,
    FundingRound,
)
from ..sections import EDITABLE_FIELDS, WORD_LIMITS, incomplete_sections, word_count

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


class AttachmentType(NamedTuple):
    noun: str  # as in "it is a PDF"
    # What the file's name may end with; downloads are named with the first.
    extensions: tuple[str, ...]


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
ALLOWED_ATTACHMENT_TYPES = {
    "application/pdf": AttachmentType("a PDF", ("pdf",)),
    "application/msword": AttachmentType("a Word document", ("doc",)),
    DOCX: AttachmentType("a Word document", ("docx",)),
    "application/vnd.ms-excel": AttachmentType("an Excel spreadsheet", ("xls",)),
    XLSX: AttachmentType("an Excel spreadsheet", ("xlsx",)),
    ODT: AttachmentType("an OpenDocument text", ("odt",)),
    ODS: AttachmentType("an OpenDocument spreadsheet", ("ods",)),
    "image/jpeg": AttachmentType("a JPEG image", ("jpg", "jpeg")),
    "image/png": AttachmentType("a PNG image", ("png",)),
    "image/gif": AttachmentType("a GIF image", ("gif",)),
    "image/webp": AttachmentType("a WebP image", ("webp",)),
}
# Office Open XML documents are zip archives told apart by the folder of their main part.
OOXML_FOLDERS = {"word/": DOCX, "xl/": XLSX}


def cap_for(*, funding_round: FundingRound, organisation: Organisation) -> AwardCap | None:
    category = CapCategory.REGISTERED if organisation.is_registered else CapCategory.UNREGISTERED
    return next((cap for cap in funding_round.caps.all() if cap.category == category), None)


def _live_applications(*, funding_round, organisation, stage, exclude_pk=None):
    applications = Application.objects.filter(
        round=funding_round, organisation=organisation, stage=stage
    ).exclude(status__in=NOT_LIVE_STATUSES)
    if exclude_pk:
        applications = applications.exclude(pk=exclude_pk)
    return applications


def allocate_reference(funding_round: FundingRound) -> str:
    funding_round = FundingRound.objects.select_for_update().get(pk=funding_round.pk)
    number = funding_round.next_application_number
    funding_round.next_application_number = number + 1
    funding_round.save(update_fields=["next_application_number"])
    return f"{funding_round.reference_prefix}-{number:04d}"


@attributed
@transaction.atomic
def application_start(
    *,
    funding_round: FundingRound,
    organisation: Organisation,
    by: User,
    title: str,
    channel: str = Channel.PORTAL,
    contact_name: str = "",
    contact_email: str = "",
    contact_address: str = "",
) -> Application:
    """Starts a draft for a verified organisation in an open round, at the round's first stage.

    Staff log bids that came by email or on paper with that channel and the contact of
    the person who sent it (a name, and an email or a postal address); they may do so
    after the closing date, since the bid arrived in time. Only a member of the
    organisation starts its application through the portal.
    """
    if channel == Channel.PORTAL:
        require_perm(
            by,
            "grants.start_application",
            organisation,
            message=f"Only a member of {organisation.name} can start its application",
        )
    else:
        require_perm(
            by,
            "grants.log_bid",
            funding_round,
            message="Only OPCC staff can log a bid that came by email or on paper",
        )
    funding_round = FundingRound.objects.select_for_update().get(pk=funding_round.pk)
    stage = funding_round.first_stage
    if organisation.verification_status != VerificationStatus.VERIFIED:
        raise ValidationError(
            f"{organisation.name} must be verified by OPCC staff before it can apply"
        )
    if not organisation.is_provider:
        raise ValidationError("Only provider organisations can apply for funding")
    if channel == Channel.PORTAL and not funding_round.is_accepting(stage=stage):
        raise ValidationError("This round is not open for applications")
    if channel != Channel.PORTAL and funding_round.status == RoundStatus.DRAFT:
        raise ValidationError("Bids can only be logged for a round that has been opened")
    if (
        not funding_round.allow_multiple_applications
        and _live_applications(
            funding_round=funding_round, organisation=organisation, stage=stage
        ).exists()
    ):
        raise ValidationError(
            f"{organisation.name} already has an application in this round: continue that one"
        )
    title = title.strip()
    if not title:
        raise ValidationError({"title": "Enter the project title"})
    contact = _logged_bid_contact(
        channel=channel, name=contact_name, email=contact_email, address=contact_address
    )
    application = Application.objects.create(
        round=funding_round,
        organisation=organisation,
        stage=stage,
        reference=allocate_reference(funding_round),
        title=title[:200],
        channel=channel,
        created_by=by,
        **contact,
    )
    return application


def _logged_bid_contact(*, channel: str, name: str, email: str, address: str) -> dict:
    """The contact fields of a new application, checked: a logged bid needs someone to tell."""
    name, email, address = name.strip(), email.strip(), address.strip().replace("\r\n", "\n")
    if channel == Channel.PORTAL:
        if name or email or address:
            raise ValueError("A portal application's contacts are its organisation's members")
        return {}
    errors = {}
    if not name:
        errors["contact_name"] = "Enter the name of the person who sent the bid"
    if email:
        try:
            validate_email(email)
            if len(email) > 254:  # the column's length, and the most RFC 5321 allows
                raise ValidationError("Too long")
        except ValidationError:
            errors["contact_email"] = (
                "Enter an email address in the correct format, like name@example.com"
            )
    elif not address:
        errors["contact_email"] = (
            f"Enter an email address or a postal address for {name or 'the person who sent it'}, "
            "so that they can be told what happens to the bid"
        )
    if errors:
        raise ValidationError(errors)
    return {"contact_name": name[:200], "contact_email": email, "contact_address": address[:500]}


def _check_draft(application: Application) -> None:
    if application.status != S.DRAFT:
        raise ValidationError(
            f"This application is {application.get_status_display().lower()}: it can no longer be changed"
        )


def _check_editor(application: Application, by: User | None, *, doing: str = "change") -> None:
    """After _check_draft: the person may fill this draft in (the view asks the same)."""
    require_perm(
        by,
        "grants.edit_application",
        application,
        message=f"Only the applicant, or OPCC staff for a bid they logged, can {doing} "
        "this application",
    )


def _check_word_limits(fields: dict) -> None:
    errors = {}
    for name, value in fields.items():
        limit = WORD_LIMITS.get(name)
        if limit and isinstance(value, str) and word_count(value) > limit:
            errors[name] = f"Use {limit} words or fewer (you have {word_count(value)})"
    if errors:
        raise ValidationError(errors)


@attributed
@transaction.atomic
def application_update(
    *,
    application: Application,
    by: User,
    fields: dict,
    priorities=None,
    success_measures=None,
) -> Application:
    """Saves part of a draft. Refuses text over its word limit and priorities the round does not fund."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    _check_draft(application)
    _check_editor(application, by)
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    _check_word_limits(fields)
    strand = fields.get("evidence_strand")
    if strand is not None and not strand.is_active:
        raise ValidationError({"evidence_strand": "Choose a strand from the current list"})
    if priorities is not None:
        funded = set(application.round.priorities.values_list("pk", flat=True))
        if any(priority.pk not in funded for priority in priorities):
            raise ValidationError({"priorities": "Choose only priorities this round funds"})
    for name, value in fields.items():
        setattr(application, name, value)
    application.full_clean(exclude=["priorities", "success_measures"])
    application.save()
    if priorities is not None:
        application.priorities.set(priorities)
    if success_measures is not None:
        application.success_measures.set(success_measures)
    return application


@attributed
@transaction.atomic
def budget_line_add(
    *, application: Application, by: User, item: str, financial_year: str, amount: Decimal
) -> BudgetLine:
    application = Application.objects.select_for_update().get(pk=application.pk)
    _check_draft(application)
    _check_editor(application, by)
    line = BudgetLine(
        application=application, item=item.strip(), financial_year=financial_year, amount=amount
    )
    if amount is None or amount <= 0:
        raise ValidationError({"amount": "Enter an amount more than £0"})
    line.full_clean()
    line.save()
    return line


@attributed
@transaction.atomic
def budget_line_remove(*, line: BudgetLine, by: User) -> None:
    application = Application.objects.select_for_update().get(pk=line.application_id)
    _check_draft(application)
    _check_editor(application, by)
    line.delete()


def detect_content_type(uploaded_file) -> str | None:
    """The file's type from its contents, never from its name or the browser's claim."""
    uploaded_file.seek(0)
    head = uploaded_file.read(8192)
    uploaded_file.seek(0)
    kind = filetype.guess(head)
    content_type = kind.mime if kind else None
    if content_type == "application/zip":
        # filetype names an office document from its first few entries only: one whose
        # own parts come later (as LibreOffice writes them) it calls just a zip.
        content_type = _zipped_document_type(uploaded_file) or content_type
    return content_type


def _zipped_document_type(uploaded_file) -> str | None:
    """The office document a zip archive is, from its directory (and the few bytes of an
    OpenDocument's mimetype entry): nothing is decompressed in full."""
    try:
        with zipfile.ZipFile(uploaded_file) as archive:
            names = archive.namelist()
            if "mimetype" in names:
                with archive.open("mimetype") as entry:
                    declared = entry.read(100).decode("ascii", "replace").strip()
                return declared if declared in (ODT, ODS) else None
            if "[Content_Types].xml" in names:
                for folder, content_type in OOXML_FOLDERS.items():
                    if any(name.startswith(folder) for name in names):
                        return content_type
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError):
        return None  # damaged, encrypted or compressed in a way zipfile cannot read
    finally:
        uploaded_file.seek(0)
    return None


def _check_name_agrees(name: str, content_type: str) -> None:
    """The name must end with the extension of what the file is: a PDF named .html or .hta
    would open as a web page or a program from the applicant's or a panellist's own disk."""
    kind = ALLOWED_ATTACHMENT_TYPES[content_type]
    expected = kind.extensions[0]
    stem, dot, extension = name.strip().rpartition(".")
    if dot and extension.lower() in kind.extensions:
        return
    if dot and stem and extension.isascii() and extension.isalnum() and len(extension) <= 10:
        ending = f"ends .{extension}"
    else:
        ending = f"does not end .{expected}"
    raise ValidationError(
        {"file": f"The file’s name {ending} but it is {kind.noun}: rename it to end .{expected}"}
    )


def attachment_download_name(attachment: Attachment) -> str:
    """The name an attachment downloads under: <reference>-<n>.<extension of its type>, n
    counting the application's attachments in upload order. Never the uploaded name, which
    the applicant chose and a browser or desktop would act on."""
    number = Attachment.objects.filter(
        application_id=attachment.application_id, pk__lte=attachment.pk
    ).count()
    kind = ALLOWED_ATTACHMENT_TYPES.get(attachment.content_type)
    extension = kind.extensions[0] if kind else "bin"
    return f"{attachment.application.reference}-{number}.{extension}"


@transaction.atomic
def attachment_add(*, application: Application, by: User, uploaded_file) -> Attachment:
    """Stores a supporting document privately, after checking who is adding it, its size,
    its real type and that its name says that type."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    _check_draft(application)
    _check_editor(application, by, doing="add a document to")
    limit = settings.ATTACHMENT_MAX_BYTES
    if uploaded_file.size > limit:
        raise ValidationError({"file": f"The file must be smaller than {file_size(limit)}"})
    if uploaded_file.size == 0:
        raise ValidationError({"file": "The file is empty"})
    content_type = detect_content_type(uploaded_file)
    if content_type not in ALLOWED_ATTACHMENT_TYPES:
        raise ValidationError(
            {"file": "The file must be a PDF, Word, Excel, OpenDocument or image file"}
        )
    uploaded_name = (uploaded_file.name or "").rsplit("/", 1)[-1]
    _check_name_agrees(uploaded_name, content_type)
    original_name = uploaded_name[:200]
    attachment = Attachment(
        application=application,
        original_name=original_name,
        content_type=content_type,
        size=uploaded_file.size,
        uploaded_by=by,
    )
    extension = ALLOWED_ATTACHMENT_TYPES[content_type].extensions[0]
    attachment.file.save(f"document.{extension}", uploaded_file, save=False)
    try:
        attachment.save()
    except Exception:
        # Nothing half-written: a file without its row would never be found again.
        attachment.file.storage.delete(attachment.file.name)
        raise
    return attachment


@transaction.atomic
def attachment_remove(*, attachment: Attachment, by: User) -> None:
    application = Application.objects.select_for_update().get(pk=attachment.application_id)
    _check_draft(application)
    _check_editor(application, by)
    name = attachment.file.name
    storage = attachment.file.storage
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(name))


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


def submission_problems(
    application: Application, *, at: datetime.datetime, received_earlier: bool = False
) -> list[str]:
    """Everything that stops an application being submitted at `at`, in plain words.

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
            f"Closed early by the OPCC on {closed_on}: the round no longer takes applications"
        )
    elif not on_time:
        problems.append("The round is not open for applications: the closing time has passed")
    if application.organisation.verification_status != VerificationStatus.VERIFIED:
        problems.append(f"{application.organisation.name} is not verified")
    for section in incomplete_sections(application):
        problems.append(f"Complete the section ‘{section.title}’")
    amount = application.amount_requested
    cap = cap_for(funding_round=funding_round, organisation=application.organisation)
    if amount is not None and cap is not None:
        kind = "a registered" if application.organisation.is_registered else "an unregistered"
        if amount > cap.maximum:
            problems.append(
                f"The most {kind} organisation can ask for is {money(cap.maximum)}; "
                f"you have asked for {money(amount)}"
            )
        if amount < cap.minimum:
            problems.append(
                f"The least {kind} organisation can ask for is {money(cap.minimum)}; "
                f"you have asked for {money(amount)}"
            )
    lines_total = sum((line.amount for line in application.budget_lines.all()), Decimal("0"))
    if amount is not None and application.budget_lines.all() and lines_total != amount:
        problems.append(
            f"The budget lines add up to {money(lines_total)} but the amount requested is "
            f"{money(amount)}: they must be the same"
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
            f"{application.organisation.name} has already submitted an application to this round"
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
    _check_draft(application)
    _check_editor(application, by, doing="submit")
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
        raise ValidationError(problems)
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
                amount=line.amount,
            )
            for line in eoi.budget_lines.all()
        )
    )
    return full
