"""The workflow kernel: every status change of every workflow is one `move`.

A workflow is declared once, beside the services that use it:

    ROUND = Workflow(FundingRound, ROUND_MOVES, noun="A round", log=RoundStatusChange)

where the map lists, for each status, the statuses it may move to, and the log (optional) is a
concrete StatusChange with a foreign key to the model. `move` then locks the row, refuses a
move the map does not allow, runs the caller's guard (who may make the move and why), saves,
writes the change row and queues the after-commit work. Services check everything that
depends on why a move is made; the kernel checks what holds for every move.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from . import audit
from .formatting import in_sentence
from .models import AuditKind


class StatusChange(models.Model):
    """One move of a workflow: who, when, from, to and why.

    A concrete log names its foreign key to the moved object in `subject` (and the object's
    status field in `status_field` when it is not "status"); the labels come from that field.
    `changed_by` is empty when the portal moves on its own (a round closing on its date).
    """

    subject: str = ""
    status_field: str = "status"

    from_status = models.CharField(max_length=24)
    to_status = models.CharField(max_length=24)
    reason = models.TextField(blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["-changed_at", "-pk"]

    def __str__(self):
        return f"{getattr(self, self.subject)}: {self.from_status} → {self.to_status}"

    def _label(self, value: str) -> str:
        moved = self._meta.get_field(self.subject).related_model
        return dict(moved._meta.get_field(self.status_field).flatchoices).get(value, value)

    @property
    def from_label(self) -> str:
        return self._label(self.from_status)

    @property
    def to_label(self) -> str:
        return self._label(self.to_status)


@dataclass(frozen=True)
class Workflow:
    """One map of allowed moves over one status field of one model."""

    model: type[models.Model]
    moves: Mapping[str, frozenset[str] | set[str]]
    noun: str  # how a refusal names the object: "A round", "An application"
    log: type[StatusChange] | None = None
    field: str = "status"
    # The refusal of a move the map does not allow, when the usual one would not read well.
    refusal: str = ""

    def __post_init__(self):
        statuses = {value for value, _ in self.model._meta.get_field(self.field).flatchoices}
        unknown = (set(self.moves) | set().union(*self.moves.values())) - statuses
        missing = statuses - set(self.moves)
        if unknown or missing:
            raise ValueError(
                f"{self.model.__name__}'s moves name unknown statuses {sorted(unknown)} "
                f"or leave out {sorted(missing)}"
            )

    def label(self, status: str) -> str:
        return dict(self.model._meta.get_field(self.field).flatchoices)[status]

    def allows(self, from_status: str, to_status: str) -> bool:
        return to_status in self.moves[from_status]

    def check(self, instance: models.Model, to_status: str) -> None:
        """Refuses, in the workflow's words, a move the map does not allow."""
        from_status = getattr(instance, self.field)
        if to_status not in self.moves:
            raise ValidationError(
                f"“{to_status}” is not a status {in_sentence(self.noun)} can have"
            )
        if not self.allows(from_status, to_status):
            raise ValidationError(
                self.refusal
                or f"{self.noun} that is {in_sentence(self.label(from_status))} "
                f"cannot move to {in_sentence(self.label(to_status))}"
            )


@dataclass(frozen=True)
class Moved:
    """What the after-commit work of a move is told."""

    instance: models.Model
    from_status: str
    to_status: str
    change: StatusChange | None
    by: Any


@transaction.atomic
def move(
    workflow: Workflow,
    instance: models.Model,
    to_status: str,
    *,
    by=None,
    reason: str = "",
    guard: Callable[[models.Model], None] | None = None,
    changes: Mapping[str, Any] | None = None,
    then: Callable[[Moved], None] | None = None,
):
    """Performs one move of `workflow` and returns the object as saved.

    Locks the row and re-reads it, so two people moving at once make one move each in turn
    and the second is judged on what the first did. `guard(obj)` (called on the locked row,
    still in its old status) raises PermissionDenied or ValidationError to refuse: who may
    make the move, and any rule of the caller's. `changes` are the fields that change with
    the move; `then(moved)` runs once the transaction commits (mail, PDFs), never for a move
    that rolled back.
    """
    obj = workflow.model._default_manager.select_for_update().get(pk=instance.pk)
    workflow.check(obj, to_status)
    if guard is not None:
        guard(obj)
    from_status = getattr(obj, workflow.field)
    setattr(obj, workflow.field, to_status)
    changes = dict(changes or {})
    for name, value in changes.items():
        setattr(obj, name, value)
    # Timestamps kept by auto_now change with every save, so they are saved with the move.
    stamped = [
        f.name for f in workflow.model._meta.concrete_fields if getattr(f, "auto_now", False)
    ]
    obj.save(update_fields=[workflow.field, *changes, *stamped])
    change = None
    if workflow.log is not None:
        change = workflow.log._default_manager.create(
            **{workflow.log.subject: obj},
            from_status=from_status,
            to_status=to_status,
            reason=reason.strip(),
            changed_by=by,
        )
    labels = dict(workflow.model._meta.get_field(workflow.field).flatchoices)
    summary = f"{labels.get(from_status, from_status)} → {labels.get(to_status, to_status)}"
    audit.record(
        AuditKind.STATUS,
        user=by,
        obj=obj,
        summary=f"{summary}: {reason.strip()}" if reason.strip() else summary,
    )
    if then is not None:
        moved = Moved(obj, from_status, to_status, change, by)
        transaction.on_commit(lambda: then(moved))
    return obj
