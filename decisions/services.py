"""Every write to decision records. The workflow is DECISION_MOVES and `decision_move`,
which performs every move; submit, approve, return, sign and publish call it.

A signed record is locked: `decision_update` refuses it, and a correction is a new
record that references it.
"""

import datetime

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone

from grants import services as grant_services
from grants.enums import FUNDING_RECOMMENDATIONS, ApplicationStatus
from grants.models import Application, FundingRound
from partners.models import User
from svd_portal.formatting import in_sentence, money
from svd_portal.tasks import enqueue

from . import documents
from .enums import LOCKED_STATUSES, DecisionStatus, DocumentStatus, Outcome
from .models import (
    DecisionDocument,
    DecisionRecord,
    DecisionStatusChange,
    ReferenceCounter,
    document_path,
)
from .references import format_reference, period_for
from .selectors import REGISTER_YEARS_KEY

D = DecisionStatus
DECISION_MOVES = {
    D.DRAFT: {D.AWAITING_APPROVAL},
    D.AWAITING_APPROVAL: {D.AWAITING_SIGNATURE, D.DRAFT},
    D.AWAITING_SIGNATURE: {D.SIGNED, D.DRAFT},
    D.SIGNED: {D.PUBLISHED},
    D.PUBLISHED: set(),
}

EDITABLE_FIELDS = {
    "title",
    "received_on",
    "section_a",
    "decision_text",
    "publish_section_b",
    "commercially_sensitive",
    "sensitivity_reason",
    "exemption_basis",
    "publication_deferred",
    "deferral_reasons",
    "deferred_until",
}


def _validate_publication(record: DecisionRecord) -> None:
    errors = {}
    if record.commercially_sensitive and not record.sensitivity_reason.strip():
        errors["sensitivity_reason"] = "Say why the material is commercially sensitive"
    if record.commercially_sensitive and not record.exemption_basis.strip():
        errors["exemption_basis"] = "Give the exemption relied on to withhold it"
    if record.publication_deferred:
        if not record.deferred_until:
            errors["deferred_until"] = "Give the date publication is deferred to"
        if not record.deferral_reasons.strip():
            errors["deferral_reasons"] = "Give the reasons publication is deferred"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def decision_create(
    *,
    by: User,
    title: str,
    received_on: datetime.date,
    section_a: str,
    decision_text: str,
    funding_round: FundingRound | None = None,
    applications=(),
    corrects: DecisionRecord | None = None,
    section_b=None,
    **publication,
) -> DecisionRecord:
    """Drafts a record, with its Section B report if one is given: both or neither are
    saved. A correction must reference a signed record."""
    if corrects is not None and corrects.status not in LOCKED_STATUSES:
        raise ValidationError("Only a signed record can be corrected; change the draft instead")
    record = DecisionRecord(
        title=title.strip(),
        received_on=received_on,
        section_a=section_a.strip(),
        decision_text=decision_text.strip(),
        funding_round=funding_round,
        corrects=corrects,
        created_by=by,
        **publication,
    )
    # The publication rules first: their messages say what to do, the constraints' do not.
    _validate_publication(record)
    record.full_clean(exclude=["applications", "reference"])
    record.save()
    record.applications.set(applications)
    if section_b:
        _store_section_b(record, section_b)
    return record


def round_section_a(funding_round: FundingRound) -> tuple[str, list[Application]]:
    """Section A for a round decision: the round's background and the recommended awards."""
    recommended = list(
        Application.objects.filter(
            round=funding_round,
            status=ApplicationStatus.RECOMMENDED,
            moderation__recommendation__in=sorted(FUNDING_RECOMMENDATIONS),
        )
        .select_related("organisation", "moderation")
        .order_by("-moderation__total", "reference")
    )
    total = sum((a.moderation.recommended_amount for a in recommended), start=0)
    lines = [
        f"{funding_round.fund_name}: {funding_round.title}",
        "",
        funding_round.description,
        "",
        f"The round had a budget of {money(funding_round.budget)}. A multi-agency panel scored the "
        "applications against the published criteria and recommends the awards below, "
        f"totalling {money(total)}.",
        "",
        "Recommended awards:",
    ]
    lines += [
        f"- {a.reference}: {a.organisation.name}, “{a.title}”: {money(a.moderation.recommended_amount)}"
        + (" (with conditions)" if a.moderation.recommendation == "fund_with_conditions" else "")
        for a in recommended
    ]
    return "\n".join(lines), recommended


def decision_create_from_round(*, funding_round: FundingRound, by: User) -> DecisionRecord:
    """Drafts the decision on a round's recommendations, with Section A filled in from them."""
    under_way = (
        DecisionRecord.objects.filter(funding_round=funding_round)
        .exclude(status__in=sorted(LOCKED_STATUSES), outcome=Outcome.NOT_APPROVED)
        .first()
    )
    if under_way is not None:
        raise ValidationError(
            f"A decision on this round is already {in_sentence(under_way.get_status_display())}"
            f"{': ' + under_way.reference if under_way.reference else ''}"
        )
    section_a, recommended = round_section_a(funding_round)
    if not recommended:
        raise ValidationError("The round has no recommended applications to decide on")
    return decision_create(
        by=by,
        title=f"{funding_round.fund_name}: {funding_round.title}: awards",
        received_on=timezone.localdate(),
        section_a=section_a,
        decision_text="To approve the awards recommended by the panel, as listed in Section A.",
        funding_round=funding_round,
        applications=Application.objects.filter(
            round=funding_round,
            status__in=[ApplicationStatus.RECOMMENDED, ApplicationStatus.NOT_RECOMMENDED],
        ),
    )


@transaction.atomic
def decision_update(
    *, record: DecisionRecord, by: User, fields: dict, section_b=None
) -> DecisionRecord:
    """Changes a draft, and replaces its Section B report if one is given: both or neither
    are saved. A record awaiting approval or signature, or signed, is not changed."""
    record = DecisionRecord.objects.select_for_update().get(pk=record.pk)
    if record.status != D.DRAFT:
        raise ValidationError(
            "A signed record cannot be changed: draft a correction instead"
            if record.status in LOCKED_STATUSES
            else "Only a draft can be changed: ask for it to be returned"
        )
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(record, name, value)
    _validate_publication(record)
    record.full_clean(exclude=["applications"])
    record.save()
    if section_b:
        _store_section_b(record, section_b)
    return record


def section_b_name(uploaded_name: str) -> str:
    """The name a Section B report is stored under: "section-b" and the upload's extension
    when it is a plain one. The uploaded name is whatever the browser sent: too long for
    the file system (100 astral-plane letters are 400 bytes), or nothing a file can be called.
    """
    extension = uploaded_name.rsplit(".", 1)[-1].lower() if "." in uploaded_name else ""
    if not (extension.isascii() and extension.isalnum() and len(extension) <= 10):
        extension = "bin"
    return f"section-b.{extension}"


@transaction.atomic
def decision_attach_section_b(*, record: DecisionRecord, by: User, uploaded_file) -> DecisionRecord:
    record = DecisionRecord.objects.select_for_update().get(pk=record.pk)
    if record.status != D.DRAFT:
        raise ValidationError("Only a draft's Section B report can be replaced")
    _store_section_b(record, uploaded_file)
    return record


def _store_section_b(record: DecisionRecord, uploaded_file) -> None:
    record.section_b.save(section_b_name(uploaded_file.name or ""), uploaded_file, save=True)


def allocate_reference(*, on: datetime.date) -> str:
    """The next reference of the period `on` falls in: unique, never reused, without gaps.

    The period's counter row is locked until the caller's transaction ends, so two
    records submitted at once get consecutive numbers.
    """
    period, end_year = period_for(on)
    ReferenceCounter.objects.get_or_create(period=period)
    counter = ReferenceCounter.objects.select_for_update().get(period=period)
    number = counter.next_number
    counter.next_number = number + 1
    counter.save(update_fields=["next_number"])
    return format_reference(seq=number, end_year=end_year)


@transaction.atomic
def decision_move(
    *,
    record: DecisionRecord,
    to_status: str,
    by: User | None,
    reason: str = "",
    changes: dict | None = None,
) -> DecisionRecord:
    """Performs one move of DECISION_MOVES: locks the row, saves the move with the fields
    that come with it (`changes`), and records who, when, from, to and why."""
    record = DecisionRecord.objects.select_for_update().get(pk=record.pk)
    from_status = record.status
    if to_status not in DECISION_MOVES[from_status]:
        raise ValidationError(
            f"A record that is {in_sentence(record.get_status_display())} cannot move to "
            f"{in_sentence(DecisionStatus(to_status).label)}"
        )
    record.status = to_status
    for name, value in (changes or {}).items():
        setattr(record, name, value)
    record.save()
    DecisionStatusChange.objects.create(
        record=record, from_status=from_status, to_status=to_status, reason=reason, changed_by=by
    )
    if to_status == D.PUBLISHED:
        # The register's year filter may gain a year: now, and again once others can see it.
        cache.delete(REGISTER_YEARS_KEY)
        transaction.on_commit(lambda: cache.delete(REGISTER_YEARS_KEY))
    return record


@transaction.atomic
def decision_submit(*, record: DecisionRecord, by: User) -> DecisionRecord:
    """Staff send a draft for officer approval; its reference is allocated now, once."""
    record = DecisionRecord.objects.select_for_update().get(pk=record.pk)
    if record.status != D.DRAFT:
        raise ValidationError("Only a draft can be submitted for approval")
    _validate_publication(record)
    if not record.reference:
        record.reference = allocate_reference(on=timezone.localdate())
        record.save(update_fields=["reference"])
    return decision_move(record=record, to_status=D.AWAITING_APPROVAL, by=by)


@transaction.atomic
def decision_approve(
    *,
    record: DecisionRecord,
    by: User,
    advice_confirmed: bool,
    name: str,
    role: str = "Chief Executive",
) -> DecisionRecord:
    """The Chief Executive (or nominee) gives officer approval, confirming the advice taken."""
    if not advice_confirmed:
        raise ValidationError(
            {
                "advice_confirmed": "Confirm that financial, legal and equalities advice was taken into account"
            }
        )
    if not name.strip():
        raise ValidationError({"name": "Give the approving officer's name"})
    return decision_move(
        record=record,
        to_status=D.AWAITING_SIGNATURE,
        by=by,
        changes={
            "advice_confirmed": True,
            "officer_approval_name": name.strip(),
            "officer_approval_role": role.strip() or "Chief Executive",
            "officer_approved_on": timezone.localdate(),
            "officer_approved_by": by,
        },
    )


def decision_return(*, record: DecisionRecord, by: User, comments: str) -> DecisionRecord:
    """The officer or the PCC sends a record back to draft with their comments."""
    if not comments.strip():
        raise ValidationError({"comments": "Say what needs to change"})
    if record.status not in (D.AWAITING_APPROVAL, D.AWAITING_SIGNATURE):
        raise ValidationError("Only a record awaiting approval or signature can be returned")
    return decision_move(record=record, to_status=D.DRAFT, by=by, reason=comments.strip())


def decision_sign(
    *,
    record: DecisionRecord,
    by: User,
    outcome: str,
    declaration: str,
    password: str,
    request=None,
) -> DecisionRecord:
    """The PCC decides and signs, re-entering their password. Signing locks the record.

    For a round decision the round's applications are then awarded or declined; the
    signed PDF is queued for a worker after commit; and the record is published at
    once unless publication is deferred.

    Given the request, the password goes through sign-in throttling like a sign-in,
    so it cannot be guessed from a stolen session. The check stays outside the
    transaction so a wrong attempt is counted even though the signing is refused.
    """
    if request is None:
        password_ok = by.check_password(password)
    else:
        password_ok = authenticate(request, username=by.email, password=password) == by
    if not password_ok:
        raise ValidationError({"password": "The password is not right"})
    return _sign(record=record, by=by, outcome=outcome, declaration=declaration)


@transaction.atomic
def _sign(*, record: DecisionRecord, by: User, outcome: str, declaration: str) -> DecisionRecord:
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": "Choose approved or not approved"})
    declaration = declaration.strip() or "None"
    now = timezone.now()
    record = decision_move(
        record=record,
        to_status=D.SIGNED,
        by=by,
        changes={
            "outcome": outcome,
            "declaration": declaration,
            "signed_by": by,
            "signed_name": by.full_name,
            "signed_at": now,
            "signed_on": timezone.localdate(now),
        },
    )
    if record.funding_round_id:
        grant_services.round_decide(
            funding_round=record.funding_round,
            approved=outcome == Outcome.APPROVED,
            by=by,
            reason=f"PCC decision {record.reference}: {record.get_outcome_display().lower()}",
        )
    document_queue(record=record, by=by, reason="Signed")
    if not record.publication_deferred or record.deferred_until <= record.signed_on:
        record = decision_publish(record=record, by=by)
    return record


@transaction.atomic
def decision_publish(*, record: DecisionRecord, by: User | None) -> DecisionRecord:
    """Publishes a signed record on the register. Idempotent for a published record."""
    record = DecisionRecord.objects.select_for_update().get(pk=record.pk)
    if record.status == D.PUBLISHED:
        return record
    deferral = (
        f"Publication was deferred until {record.deferred_until:%-d %B %Y}"
        if record.publication_deferred
        else ""
    )
    record = decision_move(
        record=record,
        to_status=D.PUBLISHED,
        by=by,
        reason=deferral,
        changes={"published_at": timezone.now()},
    )
    index_for_search(record)
    return record


def index_for_search(record: DecisionRecord) -> None:
    """Fills in the register's full-text index on PostgreSQL; SQLite searches without one."""
    if connection.vendor != "postgresql":
        return
    from django.contrib.postgres.search import SearchVector

    DecisionRecord.objects.filter(pk=record.pk).update(
        search_vector=SearchVector("reference", weight="A", config="english")
        + SearchVector("title", weight="A", config="english")
        + SearchVector("section_a", weight="B", config="english")
    )


def decisions_publish_due(*, today: datetime.date | None = None) -> list[str]:
    """Publishes every signed record whose deferral date has come. Catches up after downtime."""
    today = today or timezone.localdate()
    published = []
    for record in DecisionRecord.objects.filter(status=D.SIGNED).order_by("pk"):
        if not record.publication_deferred or record.deferred_until <= today:
            decision_publish(record=record, by=None)
            published.append(record.reference)
    return published


# --- Signed PDFs ------------------------------------------------------------------------------


@transaction.atomic
def document_queue(
    *, record: DecisionRecord, by: User | None, reason: str = ""
) -> DecisionDocument:
    """Adds a new version of the record's PDF and queues its rendering after commit.

    Older versions are kept; the public always gets the latest ready one.
    """
    record = DecisionRecord.objects.select_for_update().get(pk=record.pk)
    if record.status not in LOCKED_STATUSES:
        raise ValidationError("Only a signed record has a signed PDF")
    last = record.documents.order_by("-version").values_list("version", flat=True).first() or 0
    document = DecisionDocument.objects.create(
        record=record, version=last + 1, requested_by=by, reason=reason
    )
    _queue_render(document)
    return document


def _queue_render(document: DecisionDocument) -> None:
    from .tasks import render_document

    transaction.on_commit(lambda: enqueue(render_document, document_id=document.pk))


@transaction.atomic
def document_retry(*, document: DecisionDocument, by: User | None) -> DecisionDocument:
    """Queues a failed (or stuck) version again."""
    document = DecisionDocument.objects.select_for_update().get(pk=document.pk)
    if document.status == DocumentStatus.READY:
        raise ValidationError("This version is ready: regenerate to make a new one")
    document.status = DocumentStatus.QUEUED
    document.last_error = ""
    document.updated_at = timezone.now()
    document.save(update_fields=["status", "last_error", "updated_at"])
    _queue_render(document)
    return document


def document_render(*, document_id: int) -> DecisionDocument | None:
    """Renders and signs one version. Idempotent: a ready version is left as it is, and a
    second render of the same version overwrites its own file rather than adding one.

    The row is marked rendering in its own short transaction, so that a worker that dies
    mid-render leaves a trace the sweeper can see; the result is saved in a second one.
    """
    with transaction.atomic():
        document = (
            # Only the document's row is locked: the record's correction link is an outer join.
            DecisionDocument.objects.select_for_update(of=("self",))
            .select_related("record", "record__corrects")
            .filter(pk=document_id)
            .first()
        )
        if document is None or document.status == DocumentStatus.READY:
            return document
        now = timezone.now()
        document.status = DocumentStatus.RENDERING
        document.attempts += 1
        document.started_at = now
        document.updated_at = now
        document.save(update_fields=["status", "attempts", "started_at", "updated_at"])
    record = document.record
    try:
        identity = documents.load_signing_identity()
        pdf = documents.sign_pdf(
            documents.render_pdf(record),
            identity=identity,
            signed_by=record.signed_name,
            signed_on=record.signed_on,
        )
    except Exception as exc:
        DecisionDocument.objects.filter(pk=document.pk).update(
            status=DocumentStatus.FAILED,
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
            updated_at=timezone.now(),
        )
        raise
    with transaction.atomic():
        document = DecisionDocument.objects.select_for_update().get(pk=document.pk)
        if document.status == DocumentStatus.READY:
            return document
        storage = document.file.storage
        name = document_path(document, "")
        if storage.exists(name):
            storage.delete(name)
        document.file.save(name, ContentFile(pdf), save=False)
        document.sha256 = documents.sha256(pdf)
        document.certificate_fingerprint = identity.fingerprint
        document.status = DocumentStatus.READY
        document.last_error = ""
        document.finished_at = document.updated_at = timezone.now()
        document.save()
    return document


def documents_sweep(*, now=None) -> list[int]:
    """Queues again every version stuck in queued or rendering for too long (the broker was
    down when the record was signed, or a worker died mid-render). Returns their ids."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(seconds=settings.DECISION_DOCUMENT_STUCK_AFTER)
    stuck = list(
        DecisionDocument.objects.filter(
            status__in=[DocumentStatus.QUEUED, DocumentStatus.RENDERING], updated_at__lt=cutoff
        ).values_list("pk", flat=True)
    )
    from .tasks import render_document

    for document_id in stuck:
        DecisionDocument.objects.filter(pk=document_id).update(updated_at=now)
        enqueue(render_document, document_id=document_id)
    return stuck


def latest_ready_document(record: DecisionRecord) -> DecisionDocument | None:
    return record.documents.filter(status=DocumentStatus.READY).order_by("-version").first()
