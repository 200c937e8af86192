"""Writes to funding streams and awards. An award is made only by a signed decision
(`awards_make`, from round_decide); its workflow is AWARD_MOVES, moved by `award_withdraw`
here and by the offer and the signatory's answer in services/agreements.py."""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from partners.models import User
from svd_portal.formatting import money
from svd_portal.history import attributed, record_created
from svd_portal.permissions import require_perm
from svd_portal.workflow import Workflow, move

from .. import fiscal
from ..enums import AgreementOutcome, AwardStatus, CostKind
from ..models import (
    Agreement,
    Application,
    Award,
    AwardSplit,
    AwardStatusChange,
    BudgetLine,
    FundingRound,
    FundingStream,
    StreamAllocation,
)
from ..money import allocation_problems, award_splits, committed_by_kind, kind_name, refusal

A = AwardStatus
AWARD_MOVES = {
    A.DUE_DILIGENCE: {A.OFFERED, A.WITHDRAWN},
    # Declined or sent back for changes, the agreement returns to staff.
    A.OFFERED: {A.ACCEPTED, A.DUE_DILIGENCE, A.WITHDRAWN},
    A.ACCEPTED: {A.ACTIVE, A.WITHDRAWN},
    A.ACTIVE: {A.CLOSED, A.CLAWED_BACK},
    A.CLOSED: set(),
    A.WITHDRAWN: set(),
    A.CLAWED_BACK: set(),
}
AWARD = Workflow(Award, AWARD_MOVES, noun="An award", log=AwardStatusChange)


# --- Streams -------------------------------------------------------------------------


@attributed
@transaction.atomic
def stream_save(
    *, by: User, name: str, funder: str, notes: str = "", stream: FundingStream | None = None
) -> FundingStream:
    """Creates a stream, or changes the one given."""
    require_perm(by, "grants.manage_streams")
    stream = stream or FundingStream(created_by=by)
    stream.name, stream.funder, stream.notes = name.strip(), funder.strip(), notes.strip()
    if FundingStream.objects.exclude(pk=stream.pk).filter(name__iexact=stream.name).exists():
        raise ValidationError({"name": f"A stream called {stream.name} already exists"})
    stream.full_clean(exclude=["created_by"])
    stream.save()
    return stream


@attributed
@transaction.atomic
def allocation_set(
    *, stream: FundingStream, by: User, financial_year: str, labour: Decimal, non_labour: Decimal
) -> StreamAllocation:
    """Sets what a stream holds for a year. It may not fall below what awards already
    commit there, of either kind: the awards were signed against it."""
    require_perm(by, "grants.manage_streams")
    fiscal.validate_year(financial_year)
    for name, value in (("labour", labour), ("non_labour", non_labour)):
        if value is None or value < 0:
            raise ValidationError({name: "Enter an amount of £0 or more"})
    allocation, _ = StreamAllocation.objects.select_for_update().get_or_create(
        stream=stream, financial_year=financial_year
    )
    committed = committed_by_kind(stream=stream, financial_year=financial_year)
    errors = {}
    for name, kind, value in (
        ("labour", CostKind.LABOUR, labour),
        ("non_labour", CostKind.NON_LABOUR, non_labour),
    ):
        if value < committed[kind]:
            errors[name] = (
                f"Awards already commit {money(committed[kind])} of {financial_year}'s "
                f"{kind_name(kind)} money: enter at least that"
            )
    if errors:
        raise ValidationError(errors)
    allocation.labour, allocation.non_labour = labour, non_labour
    allocation.full_clean()
    allocation.save()
    return allocation


# --- Making awards at the signature ---------------------------------------------------


def awards_make(
    *,
    funding_round: FundingRound,
    applications: list[Application],
    conditions: dict[int, str],
    decision_reference: str,
    by: User,
) -> list[Award]:
    """One award per awarded application, as the signed decision made them: its amount,
    conditions, the round's delivery period and stream, split by year and kind of cost.
    Called inside round_decide's transaction, with the round locked; refuses (and so
    stops the signing) if the stream's allocation cannot hold them."""
    lines = defaultdict(list)
    for line in BudgetLine.objects.filter(application__in=applications).order_by("pk"):
        lines[line.application_id].append(line)
    awards, splits = [], []
    # Numbered on from the round's last award, under the round's row lock (round_decide
    # holds it), so that numbers cannot collide.
    first = Award.objects.filter(round=funding_round).count() + 1
    made_at = timezone.now()  # one decision, one moment: the list then orders them by reference
    for number, application in enumerate(sorted(applications, key=lambda a: a.reference), first):
        award = Award(
            reference=f"{funding_round.reference_prefix}-A-{number:04d}",
            application=application,
            round=funding_round,
            organisation_id=application.organisation_id,
            stream=funding_round.stream,
            title=application.title,
            amount=application.awarded_amount,
            conditions=conditions.get(application.pk, ""),
            # A draft for the grants register, from what the bid said it would achieve.
            rationale=application.outcomes.strip(),
            delivery_starts_on=funding_round.delivery_starts_on,
            delivery_ends_on=funding_round.delivery_ends_on,
            decision_reference=decision_reference,
            created_at=made_at,
            created_by=by,
        )
        awards.append(award)
        for (year, kind), amount in award_splits(
            lines[application.pk], award.amount, delivery_starts_on=award.delivery_starts_on
        ).items():
            splits.append(
                AwardSplit(award=award, financial_year=year, cost_kind=kind, amount=amount)
            )
    if not awards:
        return []
    if funding_round.stream_id:
        wanted = defaultdict(Decimal)
        for split in splits:
            wanted[(split.financial_year, split.cost_kind)] += split.amount
        problems = allocation_problems(funding_round.stream, wanted, lock=True)
        if problems:
            raise ValidationError(refusal(problems))
    record_created(Award.objects.bulk_create(awards))
    AwardSplit.objects.bulk_create(splits)
    AwardStatusChange.objects.bulk_create(
        AwardStatusChange(
            award=award,
            from_status="",
            to_status=AwardStatus.DUE_DILIGENCE,
            reason=f"Made by PCC decision {decision_reference}",
            changed_by=by,
        )
        for award in awards
    )
    return awards


# --- The award workflow ------------------------------------------------------------------


@attributed
def award_withdraw(*, award: Award, by: User, reason: str) -> Award:
    """OPCC staff withdraw an award before it is active (the organisation cannot go ahead,
    say): its money is no longer committed."""
    require_perm(by, "grants.manage_awards", award)
    if not reason.strip():
        raise ValidationError({"reason": "Say why the award is withdrawn"})
    with transaction.atomic():
        award = move(AWARD, award, AwardStatus.WITHDRAWN, by=by, reason=reason)
        # An agreement on offer can no longer be accepted.
        Agreement.objects.filter(award=award, outcome=AgreementOutcome.OFFERED).update(
            outcome=AgreementOutcome.WITHDRAWN
        )
    return award


def awards_decision_published(*, decision_reference: str, on: datetime.date) -> int:
    """The decision that made these awards is on the decision register from `on`: they may
    go on the grants register once accepted. Called by the decisions app as it publishes."""
    return Award.objects.filter(
        decision_reference=decision_reference, decision_published_on__isnull=True
    ).update(decision_published_on=on)


@attributed
@transaction.atomic
def award_register_save(*, award: Award, by: User, rationale: str, areas) -> Award:
    """Staff set what the grants register says of an award: why it is expected to reduce
    crime and disorder, and the areas it is delivered in."""
    require_perm(by, "grants.manage_awards", award)
    award = Award.objects.select_for_update().get(pk=award.pk)
    if not rationale.strip():
        raise ValidationError(
            {"rationale": "Say why the grant is expected to reduce crime and disorder"}
        )
    award.rationale = rationale.strip()
    award.save(update_fields=["rationale"])
    award.areas.set(areas)
    return award
