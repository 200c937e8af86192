"""Site pages: home, health and the accessibility statement."""

import logging

from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django.views.generic import TemplateView

from decisions import selectors as decision_selectors
from partners import rules as partner_rules
from partners import selectors as partner_selectors

from . import health

logger = logging.getLogger(__name__)


class HomeView(TemplateView):
    """Sends each person to their work: what they see depends on their roles."""

    template_name = "home.html"

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
