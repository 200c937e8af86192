"""Every write to decision records. The workflow is DECISION_MOVES and `decision_move`,
which performs every move; submit, approve, return, sign and publish call it.

A signed record is locked: `decision_update` refuses it, and a correction is a new
record that references it.
"""

import contextlib
import datetime

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from grants import selectors as grant_selectors
from grants import services as grant_services
from grants.enums import ApplicationStatus
from grants.models import FundingRound
from partners.models import User
from svd_portal.formatting import in_sentence, money
from svd_portal.history import attributed
from svd_portal.links import absolute_url
from svd_portal.permissions import require_perm
from svd_portal.tasks import enqueue
from svd_portal.workflow import Moved, Workflow, move

from . import documents
from .enums import LOCKED_STATUSES, DecisionStatus, DocumentStatus, Outcome
from .models import (
    DecisionDocument,
    DecisionRecord,
    DecisionStatusChange,
    ReferenceCounter,
    ScheduledAward,
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
DECISION = Workflow(DecisionRecord, DECISION_MOVES, noun="A record", log=DecisionStatusChange)

# A version of a signed PDF is rendered until it is ready; a failed or stuck one is queued
# again, and two workers racing on one version may each move it. Ready is final: a new
# render is a new version (document_queue).
_UNTIL_READY = set(DocumentStatus.values)
DOCUMENT = Workflow(
    DecisionDocument,
    {
        DocumentStatus.QUEUED: _UNTIL_READY,
        DocumentStatus.RENDERING: _UNTIL_READY,
        DocumentStatus.FAILED: _UNTIL_READY,
        DocumentStatus.READY: set(),
    },
    noun="A version",
    refusal="This version is ready: regenerate to make a new one",
)

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
    "deferral_lifted_reasons",
}


def _validate_publication(record: DecisionRecord) -> None:
    errors = {}
    if record.commercially_sensitive and not record.sensitivity_reason.strip():
        errors["sensitivity_reason"] = "Say why the material is commercially sensitive"
    if record.commercially_sensitive and not record.exemption_basis.strip():
        errors["exemption_basis"] = "Give the exemption relied on to withhold it"
    if record.commercially_sensitive and record.publish_section_b:
        errors["publish_section_b"] = (
            "A commercially sensitive Section B report is withheld, so it cannot also be "
            "published: upload a redacted copy for publication instead"
        )
    if record.publication_deferred:
        if not record.deferred_until:
            errors["deferred_until"] = "Give the date publication is deferred to"
        if not record.deferral_reasons.strip():
            errors["deferral_reasons"] = "Give the reasons publication is deferred"
    inherited = inherited_deferral(record)
    if inherited and not record.deferral_lifted_reasons.strip():
        errors["deferral_lifted_reasons"] = (
            f"{record.corrects.reference} is not to be published until {inherited:%-d %B %Y}: "
            "defer this correction until then too, or give the reasons for publishing it earlier"
        )
    if errors:
        raise ValidationError(errors)


def inherited_deferral(record: DecisionRecord) -> datetime.date | None:
    """The date before which a correction may not be published without recorded reasons:
    the deferral of the record it corrects, while that record is still unpublished."""
    corrected = record.corrects
    if corrected is None or corrected.status == D.PUBLISHED or not corrected.publication_deferred:
        return None
    if record.publication_deferred and record.deferred_until >= corrected.deferred_until:
        return None
    return corrected.deferred_until


@attributed
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
    section_b_redacted=None,
    **publication,
) -> DecisionRecord:
    """Drafts a record, with its Section B report (and a redacted copy for publication) if
    given: all or nothing is saved. A correction must reference a signed record."""
    require_perm(by, "decisions.create_record")
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
    _store_section_b(record, section_b, section_b_redacted)
    return record


@attributed
def decision_correct(*, record: DecisionRecord, by: User) -> DecisionRecord:
    """Drafts a correction of a signed record: its text to change, and its publication
    scheme considerations, the deferral included: a correction is not published before
    the record it corrects unless staff lift the deferral with recorded reasons."""
    require_perm(by, "decisions.correct_record", record)
    return decision_create(
        by=by,
        title=f"Correction to {record.reference}: {record.title}"[:300],
        received_on=record.received_on,
        section_a=record.section_a,
        decision_text=record.decision_text,
        funding_round=None,
        corrects=record,
        commercially_sensitive=record.commercially_sensitive,
        sensitivity_reason=record.sensitivity_reason,
        exemption_basis=record.exemption_basis,
        publication_deferred=record.publication_deferred and record.status != D.PUBLISHED,
        deferral_reasons=record.deferral_reasons if record.status != D.PUBLISHED else "",
        deferred_until=record.deferred_until if record.status != D.PUBLISHED else None,
    )


def round_section_a(funding_round: FundingRound) -> str:
    """Section A for a round decision, written as a formal record from the round's facts
    (not its call-for-bids blurb): the call, the applications received, the panel and its
    criteria, and the request. The awards themselves are the record's schedule of awards,
    fixed when it is sent for officer approval, so no second list of amounts can disagree
    with it."""
    opens, closes = (
        timezone.localtime(t) for t in (funding_round.opens_at, funding_round.closes_at)
    )
    received = funding_round.applications.exclude(status=ApplicationStatus.DRAFT).count()
    panel = getattr(funding_round, "panel", None)
    partners = (
        sorted({m.organisation.name for m in panel.members.select_related("organisation")})
        if panel
        else []
    )
    criteria = "; ".join(
        f"{c.title} (weight {c.weight.normalize():f})" for c in funding_round.criteria.all()
    )
    panel_sentence = (
        f"A multi-agency panel drawn from {', '.join(partners)} scored the eligible "
        f"applications against the published criteria: {criteria}."
        if partners
        else f"The eligible applications were scored against the published criteria: {criteria}."
    )
    return "\n".join(
        [
            "Background",
            "",
            f"The Police and Crime Commissioner invited bids to the {funding_round.fund_name} "
            f"({funding_round.title}) from {opens:%-d %B %Y} to {closes:%-d %B %Y}, with a "
            f"budget of {money(funding_round.budget)} for projects delivered between "
            f"{funding_round.delivery_starts_on:%-d %B %Y} and "
            f"{funding_round.delivery_ends_on:%-d %B %Y}. "
            f"{received} application{'' if received == 1 else 's'} {'was' if received == 1 else 'were'} received.",
            "",
            panel_sentence,
            "",
            "The request",
            "",
            "The Commissioner is asked to approve the awards in the schedule of awards of this "
            "record, with their conditions, and to decline the applications it lists as not "
            "recommended.",
        ]
    )


@attributed
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
    rows = grant_selectors.round_schedule_of_awards(funding_round=funding_round).rows
    if not any(row.recommended for row in rows):
        raise ValidationError("The round has no recommended applications to decide on")
    return decision_create(
        by=by,
        title=f"{funding_round.fund_name}: {funding_round.title}: awards",
        received_on=timezone.localdate(),
        section_a=round_section_a(funding_round),
        decision_text="To approve the awards in the schedule of awards, with their conditions, "
        "and to decline the applications it lists as not recommended.",
        funding_round=funding_round,
        applications=[row.application for row in rows],
    )


@attributed
@transaction.atomic
def decision_update(
    *, record: DecisionRecord, by: User, fields: dict, section_b=None, section_b_redacted=None
) -> DecisionRecord:
    """Changes a draft, and replaces its Section B report (or its redacted copy) if one is
    given: all or nothing is saved. A record awaiting approval or signature, or signed, is
    not changed."""
    record = DecisionRecord.objects.select_for_update().get(pk=record.pk)
    if record.status != D.DRAFT:
        raise ValidationError(
            "A signed record cannot be changed: draft a correction instead"
            if record.status in LOCKED_STATUSES
            else "Only a draft can be changed: ask for it to be returned"
        )
    require_perm(by, "decisions.edit_record", record)
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(record, name, value)
    _validate_publication(record)
    record.full_clean(exclude=["applications"])
    record.save()
    _store_section_b(record, section_b, section_b_redacted)
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


@attributed
@transaction.atomic
def decision_attach_section_b(*, record: DecisionRecord, by: User, uploaded_file) -> DecisionRecord:
    record = DecisionRecord.objects.select_for_update().get(pk=record.pk)
    if record.status != D.DRAFT:
        raise ValidationError("Only a draft's Section B report can be replaced")
    require_perm(by, "decisions.edit_record", record)
    _store_section_b(record, uploaded_file)
    return record


def _store_section_b(record: DecisionRecord, section_b=None, redacted=None) -> None:
    if section_b:
        record.section_b.save(section_b_name(section_b.name or ""), section_b, save=True)
    if redacted:
        name = section_b_name(redacted.name or "").replace("section-b", "section-b-redacted")
        record.section_b_redacted.save(name, redacted, save=True)


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


@attributed
def decision_move(
    *,
    record: DecisionRecord,
    to_status: str,
    by: User | None,
    reason: str = "",
    changes: dict | None = None,
    permissions: tuple[str, ...] = (),
) -> DecisionRecord:
    """Performs one move of DECISION_MOVES: checks that `by` holds one of `permissions` on
    the record (the views' own rules) and saves the move with the fields that come with it
    (`changes`)."""

    def guard(locked: DecisionRecord) -> None:
        if permissions and not any(by is not None and by.has_perm(p, locked) for p in permissions):
            raise PermissionDenied(
                f"You may not move a record that is {in_sentence(locked.get_status_display())}"
            )

    def then(moved: Moved) -> None:
        # The register's year filter may gain a year once others can see the record.
        cache.delete(REGISTER_YEARS_KEY)

    if to_status == D.PUBLISHED:
        cache.delete(REGISTER_YEARS_KEY)
    return move(
        DECISION,
        record,
        to_status,
        by=by,
        reason=reason,
        guard=guard,
        changes=changes,
        then=then if to_status == D.PUBLISHED else None,
    )


@attributed
@transaction.atomic
def decision_submit(*, record: DecisionRecord, by: User) -> DecisionRecord:
    """Staff send a draft for officer approval; its reference is allocated now, once. A
    round decision's schedule of awards is fixed now from the panel's moderation, and holds
    the round's moderation until the record is signed or returned to draft."""
    record = DecisionRecord.objects.select_for_update().get(pk=record.pk)
    if record.status != D.DRAFT:
        raise ValidationError("Only a draft can be submitted for approval")
    require_perm(by, "decisions.submit_record", record)
    _validate_publication(record)
    if not record.reference:
        record.reference = allocate_reference(on=timezone.localdate())
        record.save(update_fields=["reference"])
    if record.funding_round_id:
        _schedule_freeze(record)
    return decision_move(
        record=record,
        to_status=D.AWAITING_APPROVAL,
        by=by,
        permissions=("decisions.submit_record",),
    )


def _schedule_freeze(record: DecisionRecord) -> None:
    # The round's row is locked first (round_hold), as moderation locks it, so no
    # recommendation can change between reading the schedule and holding the round.
    grant_services.round_hold(funding_round=record.funding_round, reference=record.reference)
    schedule = grant_selectors.round_schedule_of_awards(funding_round=record.funding_round)
    if schedule.problems:
        raise ValidationError(schedule.problems)
    rows = schedule.rows
    record.scheduled_awards.all().delete()
    ScheduledAward.objects.bulk_create(
        ScheduledAward(
            record=record,
            application=row.application,
            reference=row.application.reference,
            organisation_name=row.application.organisation.name,
            title=row.application.title,
            recommended=row.recommended,
            amount=row.amount,
            conditions=row.conditions,
            moderated_total=row.moderated_total,
            position=position,
        )
        for position, row in enumerate(rows, start=1)
    )
    record.applications.set([row.application for row in rows])


def _schedule_release(record: DecisionRecord) -> None:
    record.scheduled_awards.all().delete()
    grant_services.round_release(funding_round=record.funding_round, reference=record.reference)


@attributed
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
        permissions=("decisions.approve_record",),
        changes={
            "advice_confirmed": True,
            "officer_approval_name": name.strip(),
            "officer_approval_role": role.strip() or "Chief Executive",
            "officer_approved_on": timezone.localdate(),
            "officer_approved_by": by,
        },
    )


@attributed
@transaction.atomic
def decision_return(*, record: DecisionRecord, by: User, comments: str) -> DecisionRecord:
    """The officer or the PCC sends a record back to draft with their comments. A round
    decision's schedule of awards is let go, and the round's moderation with it: it is
    fixed again when the record is next submitted."""
    if not comments.strip():
        raise ValidationError({"comments": "Say what needs to change"})
    if record.status not in (D.AWAITING_APPROVAL, D.AWAITING_SIGNATURE):
        raise ValidationError("Only a record awaiting approval or signature can be returned")
    record = decision_move(
        record=record,
        to_status=D.DRAFT,
        by=by,
        reason=comments.strip(),
        permissions=("decisions.approve_record", "decisions.sign_record"),
    )
    if record.funding_round_id:
        _schedule_release(record)
    from .tasks import send_returned_email

    change_id = record.status_changes.order_by("-changed_at", "-pk").values_list("pk", flat=True)[0]
    transaction.on_commit(lambda: enqueue(send_returned_email, status_change_id=change_id))
    return record


def decision_return_notify(*, status_change_id: int) -> bool:
    """Emails the record's creator that the Chief Executive or the PCC returned it to draft,
    with their comments and a link to the record. Returns whether an email was sent: not
    when the change is gone, the record has moved on since, or its creator is inactive."""
    change = (
        DecisionStatusChange.objects.select_related("record__created_by", "changed_by")
        .filter(pk=status_change_id, to_status=D.DRAFT)
        .first()
    )
    if change is None or change.record.status != D.DRAFT:
        return False
    record, creator = change.record, change.record.created_by
    if not creator.is_active or not creator.email:
        return False
    context = {
        "record": record,
        "change": change,
        "url": absolute_url("decisions:staff-detail", record.pk),
        "organisation_name": settings.PORTAL_ORGANISATION_NAME,
    }
    send_mail(
        f"Decision record {record.reference} returned to you",
        render_to_string("decisions/email/record_returned.txt", context),
        None,
        [creator.email],
    )
    return True


@attributed
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
    if by is None or not by.is_authenticated:
        raise PermissionDenied("Only the PCC, signed in, can sign a decision")
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
        permissions=("decisions.sign_record",),
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
        _schedule_apply(record, by=by)
    _document_add(record=record, by=by, reason="Signed")
    if not record.publication_deferred or record.deferred_until <= record.signed_on:
        record = decision_publish(record=record, by=by)
    return record


def _schedule_apply(record: DecisionRecord, *, by: User) -> None:
    """Does what the PCC signed: exactly the schedule's rows to fund are awarded, with
    exactly their amounts; the other rows are declined (all of them when not approved);
    no other application changes."""
    rows = list(record.scheduled_awards.all())
    if not rows:
        raise ValidationError(
            "This round decision has no schedule of awards: return it to draft and submit it "
            "again so that the schedule is fixed"
        )
    approved = record.outcome == Outcome.APPROVED
    grant_services.round_decide(
        funding_round=record.funding_round,
        awards={r.application_id: r.amount for r in rows if approved and r.recommended},
        declines=[r.application_id for r in rows if not (approved and r.recommended)],
        by=by,
        reason=f"PCC decision {record.reference}: {record.get_outcome_display().lower()}",
    )


@attributed
@transaction.atomic
def decision_publish(
    *, record: DecisionRecord, by: User | None, today: datetime.date | None = None
) -> DecisionRecord:
    """Publishes a signed record on the register, never before its deferral date.
    Idempotent for a published record."""
    record = DecisionRecord.objects.select_for_update().get(pk=record.pk)
    if record.status == D.PUBLISHED:
        return record
    if record.publication_deferred and record.deferred_until > (today or timezone.localdate()):
        raise ValidationError(
            f"Publication of {record.reference} is deferred until {record.deferred_until:%-d %B %Y}"
        )
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
            decision_publish(record=record, by=None, today=today)
            published.append(record.reference)
    return published


# --- Signed PDFs ------------------------------------------------------------------------------


def document_queue(
    *, record: DecisionRecord, by: User | None, reason: str = ""
) -> DecisionDocument:
    """Staff (or the portal itself, `by` None) add a new version of a signed record's PDF
    and queue its rendering after commit.

    Older versions are kept; the public always gets the latest ready one.
    """
    if record.status not in LOCKED_STATUSES:
        raise ValidationError("Only a signed record has a signed PDF")
    if by is not None:
        require_perm(by, "decisions.regenerate_document", record)
    return _document_add(record=record, by=by, reason=reason)


@transaction.atomic
def _document_add(*, record: DecisionRecord, by: User | None, reason: str) -> DecisionDocument:
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
    transaction.on_commit(lambda: _render_later(document))


def _render_later(document: DecisionDocument) -> None:
    from .tasks import render_document

    enqueue(render_document, document_id=document.pk)


def document_retry(*, document: DecisionDocument, by: User | None) -> DecisionDocument:
    """Queues a failed (or stuck) version again."""
    if by is not None:
        require_perm(by, "decisions.regenerate_document", document.record)
    return move(
        DOCUMENT,
        document,
        DocumentStatus.QUEUED,
        by=by,
        changes={"last_error": "", "updated_at": timezone.now()},
        then=lambda moved: _render_later(moved.instance),
    )


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
        record = document.record
        now = timezone.now()
        document = move(
            DOCUMENT,
            document,
            DocumentStatus.RENDERING,
            changes={"attempts": document.attempts + 1, "started_at": now, "updated_at": now},
        )
    try:
        identity = documents.load_signing_identity()
        pdf = documents.sign_pdf(
            documents.render_pdf(record),
            identity=identity,
            signed_by=record.signed_name,
            signed_on=record.signed_on,
        )
    except Exception as exc:
        # Unless another worker finished this version meanwhile: then it stays ready.
        with contextlib.suppress(ValidationError):
            move(
                DOCUMENT,
                document,
                DocumentStatus.FAILED,
                changes={
                    "last_error": f"{type(exc).__name__}: {exc}"[:2000],
                    "updated_at": timezone.now(),
                },
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
        now = timezone.now()
        return move(
            DOCUMENT,
            document,
            DocumentStatus.READY,
            changes={
                "file": document.file.name,
                "sha256": documents.sha256(pdf),
                "certificate_fingerprint": identity.fingerprint,
                "last_error": "",
                "finished_at": now,
                "updated_at": now,
            },
        )


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
