"""A record's way to the register. The workflow is DECISION_MOVES and `decision_move`, which
performs every move; submit, approve, return, sign and publish call it."""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from grants import selectors as grant_selectors
from grants import services as grant_services
from partners.auth import password_confirmed
from partners.models import User
from svd_portal.formatting import in_sentence
from svd_portal.history import attributed
from svd_portal.links import absolute_url
from svd_portal.permissions import require_perm
from svd_portal.tasks import enqueue
from svd_portal.workflow import Workflow, move

from ..enums import DecisionStatus, Outcome
from ..models import (
    DecisionRecord,
    DecisionStatusChange,
    ScheduledAward,
)
from .documents import document_add
from .records import validate_publication
from .references import allocate_reference

D = DecisionStatus
DECISION_MOVES = {
    D.DRAFT: {D.AWAITING_APPROVAL},
    D.AWAITING_APPROVAL: {D.AWAITING_SIGNATURE, D.DRAFT},
    D.AWAITING_SIGNATURE: {D.SIGNED, D.DRAFT},
    D.SIGNED: {D.PUBLISHED},
    D.PUBLISHED: set(),
}
DECISION = Workflow(DecisionRecord, DECISION_MOVES, noun="A record", log=DecisionStatusChange)


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

    return move(
        DECISION,
        record,
        to_status,
        by=by,
        reason=reason,
        guard=guard,
        changes=changes,
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
    validate_publication(record)
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
    change_id = record.status_changes.order_by("-changed_at", "-pk").values_list("pk", flat=True)[0]
    transaction.on_commit(
        lambda: enqueue("decisions.send_returned_email", status_change_id=change_id)
    )
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
    if not password_confirmed(by, password, request):
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
    if record.variation_id:
        grant_services.variation_settle(
            variation=record.variation,
            by=by,
            approved=record.outcome == Outcome.APPROVED,
            decision_reference=record.reference,
        )
    document_add(record=record, by=by, reason="Signed")
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
        decision_reference=record.reference,
        conditions={r.application_id: r.conditions for r in rows if approved and r.recommended},
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
    grant_services.awards_decision_published(
        decision_reference=record.reference, on=timezone.localdate(record.published_at)
    )
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
