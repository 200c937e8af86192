"""Which items of due diligence an award needs (proportionate to its amount, as GovS 015
expects), and what still stops its offer, each said so that staff know what to do."""

import datetime

from django.conf import settings
from django.utils import timezone

from partners.enums import MembershipStatus
from partners.models import Organisation

from .enums import DiligenceItem
from .models import Award, DiligenceCheck

I = DiligenceItem  # noqa: E741 (the items read as I.INSURANCE)
# What the date of each item is, as the form asks it and the page shows it.
DATE_LABELS = {
    I.ORGANISATION: "Checked on",
    I.SAFEGUARDING: "Policy last reviewed on",
    I.INSURANCE: "Insurance expires on",
    I.ACCOUNTS: "Accounts for the year ended",
}
EVIDENCE_ITEMS = frozenset({I.SAFEGUARDING, I.INSURANCE, I.ACCOUNTS})


def required_items(award: Award) -> list[str]:
    """The items an award needs, in the order the checklist shows them: every award the
    same four, and its annual accounts from DUE_DILIGENCE_ACCOUNTS_FROM up (GovS 015:
    checks proportionate to the amount)."""
    items = [I.ORGANISATION, I.SAFEGUARDING, I.INSURANCE]
    if award.amount >= settings.DUE_DILIGENCE_ACCOUNTS_FROM:
        items.append(I.ACCOUNTS)
    items.append(I.FRAUD_RISK)
    return items


def item_problem(item: str, check: DiligenceCheck | None, today: datetime.date) -> str | None:
    """Why one item stops the offer, or None when it is done."""
    label = I(item).label
    if check is None:
        return f"{label}: not checked yet"
    if not check.satisfactory:
        return f"{label}: refused ({check.note})"
    if item == I.INSURANCE and check.dated_on and check.dated_on <= today:
        return f"{label}: expired on {check.dated_on:%-d %B %Y}; record the current certificate"
    return None


def bank_problem(organisation: Organisation) -> str | None:
    account = getattr(organisation, "bank_account", None)
    if account is None:
        return f"Bank details: {organisation.name} has not entered them yet"
    if not account.is_verified:
        return "Bank details: not yet verified by a second member of staff"
    return None


def offer_problems(award: Award, *, today: datetime.date | None = None) -> list[str]:
    """Everything that stops the award being offered, each said so that staff know what
    to do; empty when it may be offered."""
    today = today or timezone.localdate()
    checks = {check.item: check for check in award.checks.all()}
    problems = [
        problem
        for item in required_items(award)
        if (problem := item_problem(item, checks.get(item), today))
    ]
    if award.plan_set_at is None:
        problems.append("Delivery plan: set the targets, the returns and the payments")
    organisation = award.organisation
    if problem := bank_problem(organisation):
        problems.append(problem)
    if not organisation.memberships.filter(status=MembershipStatus.ACTIVE, is_signatory=True):
        problems.append(
            f"Authorised signatory: {organisation.name} has none; mark one of its members "
            "on the organisation's page"
        )
    return problems
