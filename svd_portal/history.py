"""Field history: who changed which field of a record, when, from what to what.

django-auditlog writes one LogEntry a change, with the changed fields as
{field: [from, to]}. This module registers models with it, attributes the changes a
service makes to the person it acts for (`by`), and reads a record's history back as
rows a page can show.
"""

import contextlib
import datetime
import functools
from collections import defaultdict
from dataclasses import dataclass

from auditlog.context import auditlog_value, set_actor
from auditlog.diff import model_instance_diff
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Q
from django.utils import dateformat, timezone
from django.utils.text import capfirst

from .formatting import date_time, money

# The children whose changes show in a parent's history: {parent model: [(child, fk name)]}.
CHILDREN: dict[type[models.Model], list[tuple[type[models.Model], str]]] = defaultdict(list)
# A page shows this many changes, newest first; the audit page has the rest.
HISTORY_LIMIT = 100
# Longer text is shortened on the page, with the full text behind a "details" toggle.
SHORT_TEXT = 80


def register(model, *, parent: str | None = None, exclude=(), include=(), m2m=(), mask=()) -> None:
    """Records every change to `model`'s fields (less `exclude`) and `m2m` relations;
    the `mask` fields' values are recorded with their first half starred out.

    With `parent` (a foreign key name), each entry also stores that key, so the parent's
    history can show the child's changes, deletions included, in the same one query.
    """
    options = {
        "exclude_fields": list(exclude),
        "include_fields": list(include),
        "m2m_fields": m2m,
        "mask_fields": list(mask),
    }
    if parent:
        options.update(serialize_data=True, serialize_kwargs={"fields": [parent]})
        CHILDREN[model._meta.get_field(parent).related_model].append((model, parent))
    auditlog.register(model, **options)


@contextlib.contextmanager
def acting_as(user):
    """Attributes the changes made inside the block to `user`.

    auditlog's set_actor leaves its own context in place when it ends; the token puts
    back the one it replaced (the request's, from AuditlogMiddleware), so nesting works.
    """
    if user is None:
        # Nobody in particular (a scheduled task): the surrounding actor, if any, stands.
        yield
        return
    token = auditlog_value.set(None)
    try:
        with set_actor(user):
            yield
    finally:
        auditlog_value.reset(token)


def attributed(service=None, *, actor: str = "by"):
    """A service's changes are attributed to its `by` keyword argument (or `actor`'s):
    `@attributed`, or `@attributed(actor="user")` where the person acts for themselves."""

    def decorate(service):
        @functools.wraps(service)
        def wrapper(*args, **kwargs):
            with acting_as(kwargs.get(actor)):
                return service(*args, **kwargs)

        return wrapper

    return decorate(service) if service is not None else decorate


def record_created(objects):
    """Records the creation of rows made with bulk_create, which sends no signals.

    Returns the rows, so it can wrap the bulk_create call.
    """
    objects = list(objects)
    for obj in objects:
        LogEntry.objects.log_create(
            obj,
            action=LogEntry.Action.CREATE,
            changes=model_instance_diff(None, obj, use_json_for_changes=True),
        )
    return objects


@dataclass(frozen=True)
class Change:
    """One row of a history: one field of one entry, or one whole creation or deletion."""

    at: datetime.datetime
    by: str
    what: str
    before: str = ""
    after: str = ""


def entries_for(obj):
    """The LogEntry rows of `obj` and of its registered children, newest first (one query)."""
    condition = _for_model(type(obj)) & Q(object_id=obj.pk)
    for child, parent in CHILDREN.get(type(obj), []):
        condition |= _for_model(child) & Q(**{f"serialized_data__fields__{parent}": obj.pk})
    return (
        LogEntry.objects.filter(condition)
        .select_related("actor", "content_type")
        .order_by("-timestamp", "-pk")
    )


def _for_model(model) -> Q:
    # Through the join rather than ContentType.objects.get_for_model, which can cost a query.
    return Q(
        content_type__app_label=model._meta.app_label, content_type__model=model._meta.model_name
    )


def history_for(obj) -> tuple[list[Change], bool]:
    """The changes to show for `obj`, and whether older ones were left off."""
    entries = list(entries_for(obj)[: HISTORY_LIMIT + 1])
    more = len(entries) > HISTORY_LIMIT
    entries = entries[:HISTORY_LIMIT]
    names = _related_names(entries)
    rows = []
    for entry in entries:
        rows.extend(_changes(entry, obj, names))
    return rows, more


def _actor(entry) -> str:
    if entry.actor_id is None:
        return "The portal"
    return entry.actor.full_name or entry.actor.email


def _changes(entry, obj, names) -> list[Change]:
    model = entry.content_type.model_class()
    if model is None:
        # A model since removed from the code: its entries stay for the audit page.
        return []
    at, by = entry.timestamp, _actor(entry)
    own = model is type(obj)
    noun = model._meta.verbose_name
    if entry.action == LogEntry.Action.CREATE:
        if own:
            return [Change(at, by, "Created")]
        return [Change(at, by, f"Added {noun}", after=entry.object_repr)]
    if entry.action == LogEntry.Action.DELETE:
        return [Change(at, by, "Deleted" if own else f"Removed {noun}", before=entry.object_repr)]
    rows = []
    for name, values in (entry.changes or {}).items():
        field = _field(model, name)
        if field is None:
            continue
        label = capfirst(field.verbose_name)
        if not own:
            label = f"{label} of {noun} {entry.object_repr}"
        if isinstance(values, dict):
            # A many-to-many change: the objects added or removed.
            listed = "; ".join(values.get("objects", []))
            if values.get("operation") == "add":
                rows.append(Change(at, by, label, after=f"Added: {listed}"))
            else:
                rows.append(Change(at, by, label, before=f"Removed: {listed}"))
            continue
        before, after = values
        rows.append(
            Change(at, by, label, _display(field, before, names), _display(field, after, names))
        )
    return rows


def _related_names(entries) -> dict:
    """{(model, pk): name} for the foreign keys changed in `entries`: one query a model."""
    wanted = defaultdict(set)
    for entry in entries:
        if entry.action != LogEntry.Action.UPDATE or not entry.changes:
            continue
        model = entry.content_type.model_class()
        if model is None:
            continue
        for name, values in entry.changes.items():
            field = _field(model, name)
            if field is not None and (field.many_to_one or field.one_to_one):
                wanted[field.related_model].update(v for v in values if v not in (None, ""))
    names = {}
    for model, pks in wanted.items():
        for pk, related in model._default_manager.in_bulk(list(pks)).items():
            names[(model, str(pk))] = getattr(related, "full_name", None) or str(related)
    return names


def _field(model, name):
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _display(field, value, names) -> str:
    """A stored value as people read it: choice labels, money, local times, names."""
    if value is None or value == "":
        return "–"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.BooleanField):
        return "Yes" if value in (True, "True") else "No"
    if field.many_to_one or field.one_to_one:
        return names.get((field.related_model, str(value)), str(value))
    if (
        isinstance(field, models.DecimalField)
        and field.decimal_places == 2
        and field.max_digits == 12
    ):
        # The portal's money fields (grants.models.MONEY); other decimals are scores and weights.
        return money(value)
    if isinstance(field, models.DateTimeField):
        # auditlog stores times as naive UTC.
        moment = datetime.datetime.fromisoformat(str(value)).replace(tzinfo=datetime.UTC)
        return date_time(timezone.localtime(moment), "j F Y, g:ia")
    if isinstance(field, models.DateField):
        return dateformat.format(datetime.date.fromisoformat(str(value)), "j F Y")
    if isinstance(field, models.FileField):
        # The stored name, not its place in private storage.
        return str(value).rsplit("/", 1)[-1]
    return str(value)
