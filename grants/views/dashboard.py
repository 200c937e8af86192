"""The money dashboard: what the OPCC holds, has committed and has paid, what the grants
have delivered against their targets, and whether returns come in on time. Each chart has
the same rows as the table beside it and its CSV. OPCC staff, the Chief Executive and the
PCC read it; it changes nothing."""

from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView
from rules.contrib.views import PermissionRequiredMixin

from svd_portal import charts
from svd_portal.exports import Column, cells, csv_response, filters_refused, headings
from svd_portal.formatting import money

from ..filters import DashboardFilterForm
from ..selectors import dashboard

PAID = charts.Part("Paid", "paid")
COMMITTED = charts.Part("Committed, not yet paid", "committed")
UNCOMMITTED = charts.Part("Not committed", "uncommitted")
ACHIEVED = charts.Part("Delivered", "achieved")
TO_GO = charts.Part("Still to deliver", "to-go")
BEYOND = charts.Part("Beyond the target", "beyond")
ON_TIME = charts.Part("On time", "on-time")
LATE = charts.Part("Late", "late")
OVERDUE = charts.Part("Overdue", "overdue")
NOT_YET_DUE = charts.Part("Not yet due", "not-yet-due")


def money_chart(rows: list[dashboard.MoneyRow]) -> charts.Chart:
    return charts.stacked(
        "Money by stream, financial year and kind of cost",
        rows,
        parts=[
            (PAID, lambda row: row.paid),
            (COMMITTED, lambda row: row.committed_unpaid),
            (UNCOMMITTED, lambda row: row.remaining),
        ],
        label=lambda row: row.label,
        figures=lambda row: (
            f"{money(row.allocated)} allocated, {money(row.committed)} committed, "
            f"{money(row.paid)} paid, {money(row.remaining)} remaining"
        ),
    )


def delivery_chart(rows: list[dashboard.DeliveryRow]) -> charts.Chart:
    return charts.stacked(
        "Delivered against targets",
        rows,
        parts=[
            (ACHIEVED, lambda row: min(row.actual, row.target)),
            (TO_GO, lambda row: max(row.target - row.actual, 0)),
            (BEYOND, lambda row: max(row.actual - row.target, 0)),
        ],
        label=lambda row: f"{row.group}: {row.label}",
        figures=lambda row: (
            f"{row.actual:,} of {row.target:,}"
            + (f" ({row.percent}%)" if row.percent is not None else "")
        ),
        own_scale=True,
    )


def returns_chart(rows: list[dashboard.ReturnsRow]) -> charts.Chart:
    return charts.stacked(
        "Returns by the quarter they were due",
        rows,
        parts=[
            (ON_TIME, lambda row: row.on_time),
            (LATE, lambda row: row.late),
            (OVERDUE, lambda row: row.overdue),
            (NOT_YET_DUE, lambda row: row.not_yet_due),
        ],
        label=lambda row: row.quarter,
        figures=lambda row: (
            f"{row.on_time} on time, {row.late} late, {row.overdue} overdue, "
            f"{row.not_yet_due} not yet due"
        ),
    )


class DashboardMixin(PermissionRequiredMixin):
    permission_required = "grants.view_money"

    def get_scope(self) -> dashboard.Scope:
        """The stream and year asked for; everything when the filters could not be used
        (the form says why)."""
        self.filter_form = DashboardFilterForm(self.request.GET or None)
        if self.filter_form.is_bound and self.filter_form.is_valid():
            data = self.filter_form.cleaned_data
            return dashboard.Scope(data["stream"], data["financial_year"])
        return dashboard.Scope()


class DashboardView(DashboardMixin, TemplateView):
    template_name = "grants/dashboard.html"

    def get_context_data(self, **kwargs):
        scope = self.get_scope()
        money_rows = dashboard.money_rows(scope)
        delivery_rows = dashboard.delivery_rows(scope)
        returns_rows = dashboard.returns_rows(scope)
        return super().get_context_data(
            filter_form=self.filter_form,
            scope=scope,
            query_string=self.request.GET.urlencode() if self.filter_form.is_valid() else "",
            money_rows=money_rows,
            money_totals=dashboard.money_totals(money_rows),
            money_chart=money_chart(money_rows),
            delivery_rows=delivery_rows,
            delivery_chart=delivery_chart(delivery_rows),
            returns_rows=returns_rows,
            returns_chart=returns_chart(returns_rows),
            may_manage=self.request.user.has_perm("grants.manage_streams"),
            **kwargs,
        )


EXPORTS = {
    "money": (
        lambda scope: dashboard.money_rows(scope),
        [
            Column("Funding stream", lambda row: row.stream),
            Column("Financial year", lambda row: row.financial_year),
            Column("Kind of cost", lambda row: row.kind_label),
            Column("Allocated (£)", lambda row: row.allocated),
            Column("Committed (£)", lambda row: row.committed),
            Column("Paid (£)", lambda row: row.paid),
            Column("Remaining (£)", lambda row: row.remaining),
        ],
    ),
    "delivery": (
        lambda scope: dashboard.delivery_rows(scope),
        [
            Column("Group", lambda row: row.group),
            Column("Measure", lambda row: row.label),
            Column("Target", lambda row: row.target),
            Column("Delivered", lambda row: row.actual),
            Column("Delivered (% of target)", lambda row: row.percent),
        ],
    ),
    "returns": (
        lambda scope: dashboard.returns_rows(scope),
        [
            Column("Quarter due", lambda row: row.quarter),
            Column("On time", lambda row: row.on_time),
            Column("Late", lambda row: row.late),
            Column("Overdue", lambda row: row.overdue),
            Column("Not yet due", lambda row: row.not_yet_due),
            Column("Total", lambda row: row.total),
        ],
    ),
}


class DashboardExportView(DashboardMixin, View):
    """One of the dashboard's tables as CSV, narrowed as the page was."""

    def get(self, request, part):
        scope = self.get_scope()
        if self.filter_form.is_bound and not self.filter_form.is_valid():
            return filters_refused("the money dashboard")
        rows, columns = EXPORTS[part]
        name = "-".join(
            filter(
                None,
                [f"dashboard-{part}", scope.financial_year, f"{timezone.localdate():%Y-%m-%d}"],
            )
        )
        return csv_response(name, headings(columns), cells(columns, rows(scope)))
