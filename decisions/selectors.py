"""Reads of decision records: the public register sees published records only."""

from django.core.cache import cache
from django.db.models import OuterRef, QuerySet, Subquery

from svd_portal.caching import page_versions
from svd_portal.filters import filter_data

from .cached_pages import REGISTER
from .enums import DecisionStatus
from .filters import RecordStaffFilter, RegisterFilter
from .models import DecisionRecord, DecisionStatusChange


def published_records() -> QuerySet[DecisionRecord]:
    return DecisionRecord.objects.filter(status=DecisionStatus.PUBLISHED).order_by(
        "-published_at", "-pk"
    )


def register_search(*, params) -> RegisterFilter:
    """The public register, newest first, searched and filtered by `params` (the query
    string): `.qs` is the list, filtered by every value that could be used, and `.form`
    says which could not."""
    records = published_records().defer("section_a", "decision_text", "declaration")
    return RegisterFilter(filter_data(params, RegisterFilter), records, years=register_years())


REGISTER_YEARS_KEY = "decisions:register-years:"
# A day: a new version of the register makes a new key, so the old years are never read.
YEARS_KEPT_SECONDS = 86400


def register_years() -> list[int]:
    """The years of the register's filter, newest first.

    Finding them reads every published record (35 ms at 100,000), so they are kept in the
    shared cache under the register's version (decisions.cached_pages): publishing a
    record makes a new version, and every web process reads the new years at once.
    """
    version = page_versions([REGISTER])[0]
    return cache.get_or_set(
        REGISTER_YEARS_KEY + version,
        lambda: [d.year for d in published_records().dates("published_at", "year", order="DESC")],
        timeout=YEARS_KEPT_SECONDS,
    )


def record_for_page(*, user, reference: str) -> DecisionRecord:
    """A published record for anyone; the OPCC also sees records not yet published.
    Raises DecisionRecord.DoesNotExist for anyone else, alike for a record they may not
    see and one that does not exist."""
    from partners.rules import is_opcc

    records = DecisionRecord.objects.select_related(
        "funding_round", "corrects", "signed_by"
    ).prefetch_related("corrections", "scheduled_awards")
    if not (user.is_authenticated and is_opcc(user)):
        records = records.filter(status=DecisionStatus.PUBLISHED)
    return records.get(reference=reference)


def records_for_staff(*, params) -> RecordStaffFilter:
    """Every record, for the OPCC, most recently changed first, filtered by `params`."""
    records = DecisionRecord.objects.select_related("funding_round", "created_by").order_by(
        "-updated_at", "-pk"
    )
    return RecordStaffFilter(filter_data(params, RecordStaffFilter), records)


def waiting_for(*, user) -> QuerySet[DecisionRecord]:
    """The records whose next move is this person's: approval for the Chief Executive,
    signature for the PCC."""
    from partners.rules import is_chief_executive, is_pcc

    statuses = []
    if is_chief_executive(user):
        statuses.append(DecisionStatus.AWAITING_APPROVAL)
    if is_pcc(user):
        statuses.append(DecisionStatus.AWAITING_SIGNATURE)
    return DecisionRecord.objects.filter(status__in=statuses).order_by("updated_at", "pk")


def returned_to(*, user) -> QuerySet[DecisionRecord]:
    """The drafts this person created whose last move was the Chief Executive or the PCC
    returning them, newest return first, each with `return_comments`, `returned_at` and
    `returned_from` (the status it was returned from)."""
    last = DecisionStatusChange.objects.filter(record=OuterRef("pk")).order_by("-changed_at", "-pk")
    return (
        DecisionRecord.objects.filter(status=DecisionStatus.DRAFT, created_by=user)
        .annotate(
            last_to=Subquery(last.values("to_status")[:1]),
            returned_from=Subquery(last.values("from_status")[:1]),
            return_comments=Subquery(last.values("reason")[:1]),
            returned_at=Subquery(last.values("changed_at")[:1]),
        )
        .filter(
            last_to=DecisionStatus.DRAFT,
            returned_from__in=[DecisionStatus.AWAITING_APPROVAL, DecisionStatus.AWAITING_SIGNATURE],
        )
        .order_by("-returned_at", "-pk")
    )
