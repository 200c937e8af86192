"""The public grants register: the list, a grant's page, the register as CSV (all of it,
or a month's grants at a stable address), its Atom feed, and the 360Giving open data.
Anyone may read it; it names organisations, never people."""

import datetime

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import ListView, TemplateView

from svd_portal.exports import Column, cells, csv_response, headings
from svd_portal.feeds import TextAtom1Feed
from svd_portal.links import absolute_url_of
from svd_portal.mixins import FilteredListMixin
from svd_portal.pagination import KeysFirstPaginator

from .. import opendata, selectors
from ..models import Award


class RegisterListView(FilteredListMixin, ListView):
    """Grants made, newest first; searched and filtered by year, priority and area."""

    template_name = "grants/register_list.html"
    context_object_name = "grants"
    paginate_by = 25
    paginator_class = KeysFirstPaginator  # deep pages read keys off award_register_order

    def filter_list(self):
        return selectors.register_filtered(params=self.request.GET)

    def get_context_data(self, **kwargs):
        return super().get_context_data(months=selectors.register_months()[:24], **kwargs)


class RegisterDetailView(TemplateView):
    """A grant as the register shows it: to anyone who is not its holder or the OPCC (who
    see the award's own page at the same address)."""

    template_name = "grants/register_detail.html"

    def get_context_data(self, **kwargs):
        try:
            award = selectors.register_award(reference=self.kwargs["reference"])
        except Award.DoesNotExist:
            raise Http404("No grant on the register has this reference") from None
        return super().get_context_data(grant=award, **kwargs)


class GrantPageView(View):
    """/grants/<reference>/: the award's own page for its holder and the OPCC, the
    register's page of it for everyone else (a 404 while it is not on the register)."""

    http_method_names = ["get", "head", "options"]

    def get(self, request, reference):
        from .awards import AwardDetailView

        user = request.user
        award = Award.objects.filter(reference=reference).only("pk", "organisation_id").first()
        if (
            award is not None
            and user.is_authenticated
            and user.has_perm("grants.view_award", award)
        ):
            return AwardDetailView.as_view()(request, reference=reference)
        return RegisterDetailView.as_view()(request, reference=reference)


def register_columns() -> list[Column]:
    """The register CSV's columns, for rows of selectors.register_rows; the addresses'
    patterns are reversed once a download."""
    decision_url = absolute_url_of("decisions:detail")
    grant_url = absolute_url_of("grants:award-detail")
    return [
        Column("Grant", lambda g: g.reference),
        Column("Title", lambda g: g.title),
        Column("Recipient", lambda g: g.organisation.name),
        Column("Charity number", lambda g: g.organisation.charity_number),
        Column("Company number", lambda g: g.organisation.company_number),
        Column("Amount (£)", lambda g: g.amount),
        Column("Paid to date (£)", lambda g: g.paid_to_date),
        Column("Awarded on", lambda g: timezone.localdate(g.created_at)),
        Column("Accepted on", lambda g: timezone.localdate(g.accepted_at) if g.accepted_at else ""),
        Column("Delivery starts", lambda g: g.delivery_starts_on),
        Column("Delivery ends", lambda g: g.delivery_ends_on),
        Column("Purpose", lambda g: g.summary),
        Column("Conditions", lambda g: g.conditions),
        Column("Why it is expected to reduce crime and disorder", lambda g: g.rationale),
        Column("Areas", lambda g: "; ".join(area.name for area in g.areas)),
        Column("Decision", lambda g: g.decision_reference),
        Column("Decision record", lambda g: decision_url(g.decision_reference)),
        Column("Grant page", lambda g: grant_url(g.reference)),
    ]


class RegisterExportView(View):
    """The register as CSV: every grant, or (with a month) the grants made that month."""

    def get(self, request, year=None, month=None):
        awards = selectors.register_awards()
        name = "grants-register"
        if year is not None:
            try:
                first = datetime.date(int(year), int(month), 1)
            except ValueError:
                raise Http404("There is no such month") from None
            awards = selectors.register_month(first)
            name += f"-{first:%Y-%m}"
        columns = register_columns()
        return csv_response(
            name, headings(columns), cells(columns, selectors.register_rows(awards)), public=True
        )


class RegisterFeed(Feed):
    """An Atom feed of the newest grants on the register."""

    feed_type = TextAtom1Feed
    title = "Grants register"
    subtitle = "Grants made by the Police and Crime Commissioner, once accepted"

    def link(self):
        return reverse("grants:register")

    def author_name(self):
        return settings.PORTAL_ORGANISATION_NAME

    def items(self):
        return selectors.register_awards().select_related("application")[:50]

    def item_link(self, item):
        return reverse("grants:award-detail", args=[item.reference])

    def item_title(self, item):
        return f"{item.reference}: {item.title}, £{item.amount:,} to {item.organisation.name}"

    def item_description(self, item):
        return item.application.summary or item.title

    def item_pubdate(self, item):
        return item.accepted_at or item.created_at

    def item_updateddate(self, item):
        return item.accepted_at or item.created_at


class OpenDataView(View):
    """The register as 360Giving data: a JSON package (streamed a grant at a time) or the
    standard's flat CSV."""

    def get(self, request, format):
        modified = timezone.now().replace(microsecond=0)
        rows = selectors.register_rows(
            selectors.register_awards().order_by("created_at", "reference")
        )
        if format == "csv":
            return csv_response(
                "360giving",
                [title for title, _ in opendata.CSV_COLUMNS],
                opendata.flat_rows(rows, modified=modified),
                public=True,
            )
        response = StreamingHttpResponse(
            opendata.package(rows, modified=modified),
            content_type="application/json",
        )
        response["Content-Disposition"] = 'inline; filename="360giving.json"'
        return response


class SpendingView(TemplateView):
    """The payments of more than £500 and the agreements of more than £10,000 (the law's
    thresholds) on the grants of the register, with their downloads."""

    template_name = "grants/register_spending.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            payments=selectors.register_payments()[:100],
            payments_count=selectors.register_payments().count(),
            agreements=selectors.register_agreements()[:100],
            agreements_count=selectors.register_agreements().count(),
            **kwargs,
        )


PAYMENT_COLUMNS = [
    Column("Date paid", lambda e: e.entry_date),
    Column("Financial year", lambda e: e.financial_year),
    Column("Grant", lambda e: e.award.reference),
    Column("Title", lambda e: e.award.title),
    Column("Recipient", lambda e: e.award.organisation.name),
    Column("Amount (£)", lambda e: e.amount),
]
AGREEMENT_COLUMNS = [
    Column("Grant", lambda a: a.reference),
    Column("Title", lambda a: a.title),
    Column("Recipient", lambda a: a.organisation.name),
    Column("Amount (£)", lambda a: a.amount),
    Column("Accepted on", lambda a: timezone.localdate(a.accepted_at) if a.accepted_at else ""),
    Column("Delivery starts", lambda a: a.delivery_starts_on),
    Column("Delivery ends", lambda a: a.delivery_ends_on),
    Column("Decision", lambda a: a.decision_reference),
]


class SpendingExportView(View):
    def get(self, request, part):
        if part == "payments":
            rows, columns = selectors.register_payments(), PAYMENT_COLUMNS
        else:
            rows, columns = selectors.register_agreements(), AGREEMENT_COLUMNS
        return csv_response(
            f"grants-{part}-over-{'500' if part == 'payments' else '10000'}",
            headings(columns),
            cells(columns, rows.iterator(chunk_size=500)),
            public=True,
        )
