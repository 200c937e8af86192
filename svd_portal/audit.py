"""Writing the audit trail (svd_portal.models.AuditEvent): sign-ins, refused sign-ins and
sign-outs (Django's signals), second factors given (partners.two_factor), every state change
(the workflow kernel), every field edit (django-auditlog's entries), and every private
download: an attachment, a report, a PDF not yet public or an export (any response marked
confidential, seen by AuditMiddleware).

Who and from where come from the request being answered; AuditMiddleware keeps it for the
services that record without one to hand (a worker's changes have no address)."""

import contextvars

from auditlog.models import LogEntry
from auditlog.signals import post_log
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.utils.module_loading import import_string

from .downloads import CONFIDENTIAL
from .models import AuditEvent, AuditKind

_request: contextvars.ContextVar = contextvars.ContextVar("audit_request", default=None)


def _address(request) -> str | None:
    if request is None:
        return None
    address = import_string(settings.AXES_CLIENT_IP_CALLABLE)(request)
    return address or None


def record(
    kind: str,
    *,
    user=None,
    actor: str = "",
    obj=None,
    summary: str = "",
    request=None,
    path: str = "",
):
    """Adds a line to the audit trail. `user` defaults to the request's signed-in person."""
    request = request if request is not None else _request.get()
    if user is None and request is not None:
        signed_in = getattr(request, "user", None)
        if signed_in is not None and signed_in.is_authenticated:
            user = signed_in
    if user is not None and not getattr(user, "is_authenticated", True):
        user = None
    event = AuditEvent(
        kind=kind,
        user=user,
        actor=actor or (user.get_username() if user is not None else ""),
        address=_address(request),
        summary=summary,
        path=path[:500],
    )
    if obj is not None:
        event.object_type = ContentType.objects.get_for_model(type(obj))
        event.object_id = str(obj.pk)
        event.object_label = str(obj)[:300]
    event.save()
    return event


def object_key(obj) -> str:
    """How /staff/audit/?object= names a record: "<app>.<model>:<pk>"."""
    return f"{obj._meta.label_lower}:{obj.pk}"


class AuditMiddleware:
    """Keeps the request for the trail's lines written while it is answered, and records
    each private download (a response marked confidential that is a file)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request.set(request)
        try:
            response = self.get_response(request)
        finally:
            _request.reset(token)
        disposition = response.get("Content-Disposition", "")
        if response.get("Cache-Control") == CONFIDENTIAL and disposition:
            name = disposition.partition("filename=")[2].strip('"') or request.path
            record(
                AuditKind.DOWNLOAD,
                request=request,
                summary=f"Downloaded {name}",
                path=request.get_full_path(),
            )
        return response


# --- Signals --------------------------------------------------------------------------------


def _signed_in(sender, request, user, **kwargs):
    record(AuditKind.SIGN_IN, user=user, request=request, summary="Signed in with a password")


def _refused(sender, credentials, request=None, **kwargs):
    typed = str((credentials or {}).get("username", ""))[:254]
    what = "code from the authenticator app" if "two_factor" in str(sender) else "password"
    record(
        AuditKind.SIGN_IN_REFUSED,
        actor=typed,
        request=request,
        summary=f"A wrong {what}",
        user=_known(typed),
    )


def _known(email: str):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(email__iexact=email.strip()).first() if email else None


def _signed_out(sender, request, user, **kwargs):
    if user is not None:
        record(AuditKind.SIGN_OUT, user=user, request=request, summary="Signed out")


def _field_edit(sender, instance, action, changes, log_entry, log_created, **kwargs):
    if not log_created or log_entry is None:
        return
    verb = {
        LogEntry.Action.CREATE: "Created",
        LogEntry.Action.UPDATE: "Changed",
        LogEntry.Action.DELETE: "Deleted",
    }.get(action)
    if verb is None:
        return
    fields = sorted(changes or {})
    names = []
    for name in fields:
        try:
            field = instance._meta.get_field(name)
        except FieldDoesNotExist:  # a field since removed
            field = None
        names.append(str(getattr(field, "verbose_name", name.replace("_", " "))))
    summary = verb if verb != "Changed" or not names else f"Changed: {', '.join(names)}"
    record(AuditKind.FIELDS, user=log_entry.actor, obj=instance, summary=summary)


def connect() -> None:
    user_logged_in.connect(_signed_in, dispatch_uid="audit-sign-in")
    user_login_failed.connect(_refused, dispatch_uid="audit-sign-in-refused")
    user_logged_out.connect(_signed_out, dispatch_uid="audit-sign-out")
    post_log.connect(_field_edit, dispatch_uid="audit-field-edit")


def subject_access_lines(person):
    """The person's lines of the audit trail, for subject access."""
    from .subject_access import Held

    return Held(
        [
            {
                "at": event.at,
                "kind": event.get_kind_display(),
                "what": event.summary,
                "record": event.object_label,
                "address": event.address,
            }
            for event in AuditEvent.objects.filter(user=person).order_by("at", "pk")
        ]
    )
