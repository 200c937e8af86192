"""Awarding: what a PCC decision does to a round. Its record holds the round's moderation
from submission, and once signed its schedule of awards decides the round's applications.
Called by the decisions app, which grants never imports (dependencies run partners ←
grants ← decisions): it passes plain data (application ids and amounts), so grants applies
exactly what was signed."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from partners.models import User
from svd_portal.history import attributed
from svd_portal.permissions import require_perm

from ..enums import ApplicationStatus, RoundStatus
from ..models import Application, FundingRound
from .application_workflow import application_move
from .awards import awards_make
from .rounds import _round_move

# The statuses a frozen schedule's rows may be in when the PCC signs: recommended rows are
# awarded, the others declined. Anything else (withdrawn since, say) stops the signing.
SCHEDULABLE_STATUSES = frozenset({ApplicationStatus.RECOMMENDED, ApplicationStatus.NOT_RECOMMENDED})


def round_hold_message(funding_round: FundingRound) -> str:
    return (
        f"Decision record {funding_round.decision_hold} holds this round's recommendations "
        "while it is approved and signed: ask for it to be returned to draft to change them"
    )


def round_check_not_held(funding_round: FundingRound) -> None:
    """Refuses a change to the round's moderation while a decision record holds it."""
    if funding_round.decision_hold:
        raise ValidationError(round_hold_message(funding_round))


@transaction.atomic
def round_hold(*, funding_round: FundingRound, reference: str) -> FundingRound:
    """A decision record's schedule of awards now holds the round's moderation."""
    funding_round = FundingRound.objects.select_for_update().get(pk=funding_round.pk)
    if funding_round.decision_hold and funding_round.decision_hold != reference:
        raise ValidationError(round_hold_message(funding_round))
    funding_round.decision_hold = reference
    funding_round.save(update_fields=["decision_hold"])
    return funding_round


@transaction.atomic
def round_release(*, funding_round: FundingRound, reference: str) -> FundingRound:
    """The record returned to draft (or was signed): moderation may change again."""
    funding_round = FundingRound.objects.select_for_update().get(pk=funding_round.pk)
    if funding_round.decision_hold == reference:
        funding_round.decision_hold = ""
        funding_round.save(update_fields=["decision_hold"])
    return funding_round


@attributed
@transaction.atomic
def round_decide(
    *,
    funding_round: FundingRound,
    awards: dict[int, Decimal],
    declines: list[int],
    by: User,
    reason: str,
    decision_reference: str,
    conditions: dict[int, str] | None = None,
) -> list[Application]:
    """Applies a signed decision's schedule of awards: the applications in `awards` are
    awarded exactly those amounts (with `conditions`), each becoming an Award, those in
    `declines` are declined, and no other application changes. The round moves to
    decided. Applicants are emailed after the transaction commits.

    Every application must still be where the schedule found it; otherwise nothing is
    applied and the signing is refused, so that what the PCC signs is what happens.
    """
    require_perm(by, "grants.decide_round", funding_round)
    funding_round = FundingRound.objects.select_for_update().get(pk=funding_round.pk)
    ids = set(awards) | set(declines)
    if set(awards) & set(declines):
        raise ValueError("An application cannot be both awarded and declined")
    applications = list(
        Application.objects.select_for_update()
        .filter(pk__in=ids, round=funding_round)
        .order_by("pk")
    )
    moved = [a.reference for a in applications if a.status not in SCHEDULABLE_STATUSES]
    if len(applications) != len(ids) or moved:
        raise ValidationError(
            "The schedule of awards no longer matches the applications"
            + (f" ({', '.join(sorted(moved))} changed since it was fixed)" if moved else "")
            + ": return the record to draft so that it can be fixed again"
        )
    changed = []
    for application in applications:
        if application.pk in awards:
            application.awarded_amount = awards[application.pk]
            application.save(update_fields=["awarded_amount"])
            to_status = ApplicationStatus.AWARDED
        else:
            to_status = ApplicationStatus.DECLINED
        changed.append(
            application_move(application=application, to_status=to_status, by=by, reason=reason)
        )
    awards_make(
        funding_round=funding_round,
        applications=[a for a in applications if a.pk in awards],
        conditions=conditions or {},
        decision_reference=decision_reference,
        by=by,
    )
    if funding_round.decision_hold:
        funding_round.decision_hold = ""
        funding_round.save(update_fields=["decision_hold"])
    if funding_round.status == RoundStatus.ASSESSMENT:
        _round_move(
            funding_round=funding_round,
            to_status=RoundStatus.DECIDED,
            by=by,
            reason=reason,
            deciding=True,
        )
    return changed
