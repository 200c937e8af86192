"""Site pages: home, health and the accessibility statement."""

import logging

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django.views.generic import ListView, TemplateView
from rules.contrib.views import PermissionRequiredMixin

from decisions import selectors as decision_selectors
from grants import selectors as grant_selectors
from partners import rules as partner_rules
from partners import selectors as partner_selectors

from . import health, retention
from .audit_filters import AuditFilter
from .caching import PublicPageMixin
from .exports import Column, cells, csv_response, filters_refused, headings
from .filters import filter_data
from .mixins import FilteredListMixin
from .models import AuditEvent, AuditKind
from .pagination import KeysFirstPaginator

logger = logging.getLogger(__name__)


class HomeView(PublicPageMixin, TemplateView):
    """Sends each person to their work: what they see depends on their roles. A visitor's
    page shows no records, so it changes only with a new release."""

    template_name = "home.html"

    def page_scopes(self):
        return []

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        if not user.is_authenticated:
            return context
        is_staff = partner_rules.is_opcc_staff(user)
        context.update(
            is_opcc_staff=is_staff,
            is_chief_executive=partner_rules.is_chief_executive(user),
            is_pcc=partner_rules.is_pcc(user),
            is_panel_member=partner_rules.is_panel_member(user),
            is_provider=partner_rules.is_provider(user),
            memberships=list(partner_selectors.memberships_for_user(user=user)),
        )
        if context["is_chief_executive"] or context["is_pcc"]:
            context["waiting"] = list(decision_selectors.waiting_for(user=user))
        if context["is_panel_member"]:
            context["panel_work"] = grant_selectors.work_of(user=user)
        if is_staff:
            context.update(
                organisations_awaiting=partner_selectors.organisations_awaiting_verification_count(),
                membership_requests=partner_selectors.membership_requests_count(),
                returned=list(decision_selectors.returned_to(user=user)),
            )
        return context


class AccessibilityView(TemplateView):
    template_name = "accessibility.html"


@require_safe
@never_cache
def service_status(request):
    """The footer's "Service status": the checks behind /healthz/ as a page people read.

    Like /healthz/, it says what is down and leaves the error itself to the log.
    """
    checks = [
        ("Website and its database", health.check_database()),
        ("Emails and documents (the message broker)", health.check_broker()),
    ]
    for name, error in checks:
        if error is not None:
            logger.warning("Service status: %s is down: %s", name, error)
    down = any(error is not None for _, error in checks)
    context = {"checks": [(name, error is None) for name, error in checks], "down": down}
    return render(request, "status.html", context, status=503 if down else 200)


@never_cache
def healthz(request):
    """Public JSON: 200 when the database and broker answer, 503 naming what is down.

    The error itself (host names, ports, paths) goes to the log, and into the answer only
    for OPCC staff: the public learns what is down, not how the portal is built.
    """
    checks = {"database": health.check_database(), "broker": health.check_broker()}
    body = {name: "ok" if error is None else "error" for name, error in checks.items()}
    down = [name for name, error in checks.items() if error is not None]
    for name in down:
        logger.warning("Health check: %s is down: %s", name, checks[name])
    if down and partner_rules.is_opcc_staff(request.user):
        body["errors"] = {name: checks[name] for name in down}
    return JsonResponse(body, status=503 if down else 200)


class AuditTrailView(PermissionRequiredMixin, FilteredListMixin, ListView):
    """The audit trail for OPCC staff: every sign-in, refused sign-in, second factor,
    state change, field edit and private download, newest first, filtered."""

    permission_required = "partners.view_audit_trail"
    template_name = "audit_trail.html"
    context_object_name = "events"
    paginate_by = 50
    paginator_class = KeysFirstPaginator

    def filter_list(self):
        events = AuditEvent.objects.select_related("object_type")
        return AuditFilter(filter_data(self.request.GET, AuditFilter), queryset=events)


AUDIT_COLUMNS = [
    Column("When", lambda e: timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S")),
    Column("Who", lambda e: e.actor),
    Column("From", lambda e: e.address or ""),
    Column("Kind", lambda e: e.get_kind_display()),
    Column("What", lambda e: e.summary),
    Column("Record", lambda e: e.object_label),
    Column("Record type", lambda e: e.object_type.name if e.object_type else ""),
    Column("Address", lambda e: e.path),
]


class AuditTrailExportView(AuditTrailView):
    """The audit trail as filtered, as CSV (itself recorded as a download)."""

    def get(self, request, *args, **kwargs):
        events = self.get_queryset()
        if self.filters.errors:
            return filters_refused("the audit trail", self.filters.errors)
        return csv_response(
            "audit-trail",
            headings(AUDIT_COLUMNS),
            cells(AUDIT_COLUMNS, events.iterator(chunk_size=1000)),
        )


class RetentionView(PermissionRequiredMixin, TemplateView):
    """The retention schedule's dry run, for OPCC staff to read before the daily job: what
    it would remove now and what falls due soon, kind by kind."""

    permission_required = "partners.view_retention"
    template_name = "retention.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            parts=retention.report(),
            notice_days=settings.RETENTION_NOTICE_DAYS,
            coming_title=f"Due in the next {settings.RETENTION_NOTICE_DAYS} days",
            last_applied=AuditEvent.objects.filter(kind=AuditKind.RETENTION).first(),
            **kwargs,
        )


RETENTION_COLUMNS = [
    Column("Kind of record", lambda pair: pair[0].label),
    Column("Record", lambda pair: pair[1].label),
    Column("Kept for", lambda pair: retention.period_words(pair[0])),
    Column("Clock started", lambda pair: timezone.localtime(pair[1].started).strftime("%Y-%m-%d")),
    Column("Due on", lambda pair: timezone.localtime(pair[1].due).strftime("%Y-%m-%d")),
    Column("What becomes of it", lambda pair: pair[0].action),
]


class RetentionExportView(PermissionRequiredMixin, View):
    """Every record the retention job would remove now, as CSV."""

    permission_required = "partners.view_retention"
    http_method_names = ["get", "head"]

    def get(self, request):
        return csv_response(
            "retention-due",
            headings(RETENTION_COLUMNS),
            cells(RETENTION_COLUMNS, retention.every_row_due()),
        )
