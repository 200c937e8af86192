"""Helpers for the decision tests: a frozen clock, a record's history, and everything a
refused call must leave as it was."""

from unittest.mock import patch

from decisions.models import (
    DecisionDocument,
    DecisionRecord,
    DecisionStatusChange,
    ReferenceCounter,
    ScheduledAward,
)
from grants.models import Application, ApplicationStatusChange, FundingRound

from .documents_helpers import stored_files


def frozen(moment):
    """The clock stopped at `moment` (timezone.now() only)."""
    return patch("django.utils.timezone.now", return_value=moment)


def history(record):
    """The record's status changes: (from, to, by whose email, reason), oldest first."""
    return list(
        DecisionStatusChange.objects.filter(record=record)
        .order_by("pk")
        .values_list("from_status", "to_status", "changed_by__email", "reason")
    )


def refusal_state(storage, record=None) -> dict:
    """Everything a refused call must leave as it was: the record's row (every column,
    its files and its updated time included), its history, its schedule of awards and its
    PDFs; every record, reference counter, round and application; the stored files."""
    state = {
        "records": list(DecisionRecord.objects.order_by("pk").values_list("pk", flat=True)),
        "reference_counters": list(ReferenceCounter.objects.values_list("period", "next_number")),
        "rounds": list(FundingRound.objects.order_by("pk").values_list("status", "decision_hold")),
        "applications": list(
            Application.objects.order_by("reference").values_list(
                "reference", "status", "awarded_amount"
            )
        ),
        "application_changes": ApplicationStatusChange.objects.count(),
        "files": stored_files(storage),
    }
    if record is not None:
        state |= {
            "record": DecisionRecord.objects.filter(pk=record.pk).values().get(),
            "status_changes": list(
                DecisionStatusChange.objects.filter(record=record)
                .order_by("pk")
                .values_list("from_status", "to_status", "changed_by", "reason")
            ),
            "scheduled_awards": list(
                ScheduledAward.objects.filter(record=record)
                .order_by("position")
                .values_list("reference", "recommended", "amount", "conditions")
            ),
            "applications_decided": list(record.applications.order_by("pk").values_list("pk")),
            "documents": list(
                DecisionDocument.objects.filter(record=record)
                .order_by("version")
                .values_list("version", "status", "attempts", "last_error", "file")
            ),
        }
    return state
