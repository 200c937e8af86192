"""Reads of variations: what one changes, in words, and an award's variations."""

from decimal import Decimal

from svd_portal.formatting import money

from .. import money as award_money
from ..models import AwardTarget, BudgetLine, Variation


def variation_changes(variation: Variation) -> list[str]:
    """Each change the variation makes (or would make), before and after, in words (two
    queries, for the names of its targets and budget lines)."""
    changes = []
    if variation.amount_change:
        change = variation.amount_change
        changes.append(
            f"Amount: {money(variation.previous_amount)} → "
            f"{money(variation.previous_amount + change)} ({money(abs(change))} "
            f"{'more' if change > 0 else 'less'} of {variation.change_year}'s "
            f"{award_money.kind_name(variation.change_kind)} money)"
        )
    if variation.new_ends_on:
        changes.append(
            f"End of delivery: {variation.previous_ends_on:%-d %B %Y} → "
            f"{variation.new_ends_on:%-d %B %Y}"
        )
    if variation.target_changes:
        targets = AwardTarget.objects.select_related("success_measure").in_bulk(
            [int(pk) for pk in variation.target_changes]
        )
        for pk, (before, after) in sorted(
            variation.target_changes.items(), key=lambda item: targets[int(item[0])].position
        ):
            changes.append(f"Target, {targets[int(pk)].label}: {before:,} → {after:,}")
    if variation.budget_changes:
        lines = BudgetLine.objects.in_bulk([int(pk) for pk in variation.budget_changes])
        for pk, (before, after) in sorted(
            variation.budget_changes.items(), key=lambda i: int(i[0])
        ):
            line = lines[int(pk)]
            changes.append(
                f"Budget line, {line.item} ({line.financial_year}, "
                f"{award_money.kind_name(line.cost_kind)}): {money(Decimal(before))} → "
                f"{money(Decimal(after))}"
            )
    return changes
