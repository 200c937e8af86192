"""The filters of the staff list of a round's applications (and its exports)."""

from decimal import Decimal

import django_filters
from crispy_forms_gds.layout import Div, Field
from django import forms
from django.db.models import Min, Q
from django.utils import timezone
from django.utils.text import Truncator

from partners.enums import REGISTERED_KINDS
from partners.models import Area, StrategicPriority
from svd_portal.filters import FilterForm, SearchFilter, grid_row

from . import fiscal
from .enums import DELIVERING_AWARD_STATUSES, ApplicationStatus, AwardStatus
from .models import Application, Award, AwardSplit, FundingStream, StreamAllocation

AMOUNT_LIMIT = Decimal(10**12)


class AmountField(forms.DecimalField):
    """An amount typed in a filter, as people type it ("£5,000"). DecimalField refuses
    "NaN" and the infinities; the limits refuse "1e999999999", which no column can hold."""

    widget = forms.TextInput

    def __init__(self, **kwargs):
        super().__init__(
            min_value=0, max_value=AMOUNT_LIMIT - Decimal("0.01"), localize=False, **kwargs
        )
        self.error_messages.update(
            invalid="Enter an amount in pounds and pence, like 4500 or 4500.50",
            min_value="Enter an amount of £0 or more",
            max_value="Enter an amount less than £1,000,000,000,000",
        )

    def to_python(self, value):
        if isinstance(value, str):
            value = value.replace("£", "").replace(",", "").strip()
        return super().to_python(value)

    def clean(self, value):
        amount = super().clean(value)
        return None if amount is None else amount.quantize(Decimal("0.01"))

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        for name in ("step", "min", "max"):
            attrs.pop(name, None)
        attrs.update({"inputmode": "decimal", "spellcheck": "false"})
        return attrs


class AmountFilter(django_filters.NumberFilter):
    field_class = AmountField

    def get_max_validator(self):
        return None  # AmountField has its own limits, and says them the GOV.UK way


class ApplicationFilterForm(FilterForm):
    def get_layout(self):
        def row(*fields):
            return Div(
                *(Div(field, css_class="govuk-grid-column-one-third") for field in fields),
                css_class="govuk-grid-row",
            )

        return [
            row(
                Field.text("q"),
                Field.select("status"),
                Field.select("priority"),
            ),
            row(
                Field.select("category"),
                Field.text("min_amount", field_width=10),
                Field.text("max_amount", field_width=10),
            ),
        ]


def _choice(what: str) -> dict:
    return {
        "empty_label": "Any",
        "error_messages": {"invalid_choice": f"Select {what} from the list"},
    }


class ApplicationFilter(django_filters.FilterSet):
    """A round's applications by status, priority, kind of organisation, amount asked
    for, and a search over reference, title and organisation."""

    q = SearchFilter(label="Reference, title or organisation", method="search", what="search")
    status = django_filters.ChoiceFilter(
        label="Status", choices=ApplicationStatus.choices, **_choice("a status")
    )
    priority = django_filters.ChoiceFilter(
        label="Priority", field_name="priorities", choices=[], **_choice("a priority")
    )
    category = django_filters.ChoiceFilter(
        label="Organisation",
        choices=[("registered", "Registered"), ("unregistered", "Unregistered")],
        method="by_category",
        **_choice("registered or unregistered"),
    )
    min_amount = AmountFilter(
        label="Least amount (£)", field_name="amount_requested", lookup_expr="gte"
    )
    max_amount = AmountFilter(
        label="Most amount (£)", field_name="amount_requested", lookup_expr="lte"
    )

    class Meta:
        model = Application
        fields = ["q", "status", "priority", "category", "min_amount", "max_amount"]
        form = ApplicationFilterForm

    def __init__(self, data=None, queryset=None, *, funding_round):
        super().__init__(data, queryset)
        self.filters["priority"].extra["choices"] = [
            (str(p.pk), Truncator(f"{p.number}. {p.title}").chars(40))
            for p in funding_round.priorities.all()
        ]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(reference__iexact=value)
            | Q(title__icontains=value)
            | Q(organisation__name__icontains=value)
        )

    def by_category(self, queryset, name, value):
        registered = {"organisation__kind__in": sorted(REGISTERED_KINDS)}
        if value == "registered":
            return queryset.filter(**registered)
        return queryset.exclude(**registered)


class AwardFilterForm(FilterForm):
    def get_layout(self):
        return [
            grid_row(Field.text("q"), Field.select("stream")),
            grid_row(Field.select("financial_year"), Field.select("status")),
        ]


class AwardFilter(django_filters.FilterSet):
    """Awards by stream, by a financial year they have money in, by status, and a search
    over reference, title and organisation."""

    q = SearchFilter(label="Reference, title or organisation", method="search", what="search")
    stream = django_filters.ModelChoiceFilter(
        label="Funding stream",
        queryset=FundingStream.objects.order_by("name"),
        **_choice("a funding stream"),
    )
    financial_year = django_filters.ChoiceFilter(
        label="Financial year", choices=[], method="in_year", **_choice("a financial year")
    )
    status = django_filters.ChoiceFilter(
        label="Status", choices=AwardStatus.choices, **_choice("a status")
    )

    class Meta:
        model = Award
        fields = ["q", "stream", "financial_year", "status"]
        form = AwardFilterForm

    def __init__(self, data=None, queryset=None):
        super().__init__(data, queryset)
        years = (
            AwardSplit.objects.order_by("financial_year")
            .values_list("financial_year", flat=True)
            .distinct()
        )
        self.filters["financial_year"].extra["choices"] = [(y, y) for y in years]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(reference__iexact=value)
            | Q(title__icontains=value)
            | Q(organisation__name__icontains=value)
        )

    def in_year(self, queryset, name, value):
        return queryset.filter(splits__financial_year=value).distinct()


class DashboardFilterForm(FilterForm):
    """The money dashboard narrowed to one funding stream, one financial year, or both."""

    stream = forms.ModelChoiceField(
        label="Funding stream",
        queryset=FundingStream.objects.order_by("name"),
        required=False,
        empty_label="All streams",
        error_messages={"invalid_choice": "Select a funding stream from the list"},
    )
    financial_year = forms.ChoiceField(
        label="Financial year",
        required=False,
        error_messages={"invalid_choice": "Select a financial year from the list"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        years = sorted(
            set(StreamAllocation.objects.order_by().values_list("financial_year", flat=True))
            | set(AwardSplit.objects.order_by().values_list("financial_year", flat=True).distinct())
        )
        self.fields["financial_year"].choices = [("", "All years")] + [(y, y) for y in years]

    def get_layout(self):
        return [grid_row(Field.select("stream"), Field.select("financial_year"))]


def _register_years() -> list[tuple[str, str]]:
    """The financial years from the register's first grant to this one (the register's own
    condition, which selectors.register cannot lend: the selectors import the filters)."""
    first = Award.objects.filter(
        status__in=sorted(DELIVERING_AWARD_STATUSES), decision_published_on__isnull=False
    ).aggregate(first=Min("created_at"))["first"]
    if first is None:
        return []
    years = fiscal.years_between(timezone.localdate(first), timezone.localdate())
    return [(year, year) for year in reversed(years)]


class RegisterFilterForm(FilterForm):
    def get_layout(self):
        return [
            grid_row(Field.text("q"), Field.select("year")),
            grid_row(Field.select("priority"), Field.select("area")),
        ]


class RegisterFilter(django_filters.FilterSet):
    """The register by the financial year the grant was made in, the strategic priority its
    bid named, the area it is delivered in, and a search over reference, title and
    recipient."""

    q = SearchFilter(label="Grant, title or recipient", method="search", what="search")
    year = django_filters.ChoiceFilter(
        label="Financial year awarded", choices=[], method="in_year", **_choice("a year")
    )
    priority = django_filters.ModelChoiceFilter(
        label="Strategic priority",
        queryset=StrategicPriority.objects.order_by("number", "valid_from"),
        field_name="application__priorities",
        **_choice("a priority"),
    )
    area = django_filters.ModelChoiceFilter(
        label="Area",
        queryset=Area.objects.order_by("name"),
        field_name="areas",
        **_choice("an area"),
    )

    class Meta:
        model = Award
        fields = ["q", "year", "priority", "area"]
        form = RegisterFilterForm

    def __init__(self, data=None, queryset=None):
        super().__init__(data, queryset)
        self.filters["year"].extra["choices"] = _register_years()

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(reference__iexact=value)
            | Q(title__icontains=value)
            | Q(organisation__name__icontains=value)
        )

    def in_year(self, queryset, name, value):
        starts = fiscal.starts_on(value)
        return queryset.filter(created_at__date__range=(starts, fiscal.ends_on(value)))
