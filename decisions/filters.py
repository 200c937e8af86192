"""The filters of the public register and of the OPCC's list of decision records."""

import django_filters
from crispy_forms_gds.layout import Field
from django.conf import settings
from django.db import connection
from django.db.models import F, Q

from svd_portal.filters import FilterForm, SearchFilter, grid_row

from .enums import DecisionStatus
from .models import DecisionRecord


class RegisterFilterForm(FilterForm):
    button = "Search"
    form_action = "decisions:register"
    form_attrs = {"role": "search"}

    def get_layout(self):
        return [
            grid_row(
                Field.text("q"),
                Field.select("year"),
                Field.select("order"),
                widths=["one-half", "one-quarter", "one-quarter"],
            )
        ]


class RegisterFilter(django_filters.FilterSet):
    """The register searched over reference, title and Section A, and by the year of
    publication (`years`: the years that have published records, newest first)."""

    q = SearchFilter(
        label="Search decisions",
        help_text="A reference such as DN50-24, or words from the title or text",
        method="search",
    )
    year = django_filters.TypedChoiceFilter(
        label="Year published",
        field_name="published_at",
        lookup_expr="year",
        coerce=int,
        empty_value=None,
        choices=[],
        error_messages={"invalid_choice": "Select a year from the list"},
    )

    order = django_filters.ChoiceFilter(
        label="Order",
        choices=[("relevance", "Most relevant first")],
        empty_label="Newest first",
        help_text="Relevance applies to a search",
        error_messages={"invalid_choice": "Select an order from the list"},
    )

    class Meta:
        model = DecisionRecord
        fields = ["q", "year", "order"]
        form = RegisterFilterForm

    def __init__(self, data=None, queryset=None, *, years: list[int]):
        super().__init__(data, queryset)
        self.filters["year"].extra["choices"] = [("", "Any year")] + [
            (str(year), str(year)) for year in years
        ]

    def filter_queryset(self, queryset):
        # The year first: whether the words are a reference is asked of that year's records.
        words = self.form.cleaned_data.get("q")
        queryset = self.filters["year"].filter(queryset, self.form.cleaned_data.get("year"))
        queryset = self.filters["q"].filter(queryset, words)
        if words and self.form.cleaned_data.get("order") == "relevance":
            queryset = self.order_by_relevance(queryset, words)
        return queryset

    @property
    def searching(self) -> bool:
        """Whether the list is a text search, whose counting stops at REGISTER_SEARCH_LIMIT."""
        return bool(self.query)

    def order_by_relevance(self, records, words):
        """The matches, most relevant first (PostgreSQL's ts_rank: words in the reference
        and title count above words in Section A), newest first among equals.

        Ranking reads every candidate's index entry, so it ranks the newest
        REGISTER_SEARCH_LIMIT matches, as many as the list counts: a common word stays as
        fast as a rare one. On SQLite the order stays newest first."""
        if connection.vendor != "postgresql" or not words:
            return records
        from django.contrib.postgres.search import SearchQuery, SearchRank

        newest = records.order_by("-published_at", "-pk").values("pk")[
            : settings.REGISTER_SEARCH_LIMIT
        ]
        query = SearchQuery(words, config="english", search_type="websearch")
        return (
            records.filter(pk__in=newest)
            .annotate(rank=SearchRank(F("search_vector"), query))
            .order_by("-rank", "-published_at", "-pk")
        )

    @property
    def query(self) -> str:
        """The words searched for, once they could be used."""
        if not self.is_bound:
            return ""
        self.form.is_valid()  # the words are cleaned with the rest of the form, once
        return self.form.cleaned_data.get("q", "")

    def search(self, records, name, query):
        """A reference (DN50-24, any case) finds its record, and one without its year
        (DN50) finds each year's; anything else is a text search: PostgreSQL's full-text
        search (English stemming: "funded" finds "funding") where it is the database, a
        plain case-insensitive match on SQLite, the embedded default."""
        reference = query.upper()
        by_reference = records.filter(
            Q(reference=reference) | Q(reference__startswith=f"{reference}-")
        )
        if by_reference.exists():
            return by_reference
        if connection.vendor == "postgresql":
            from django.contrib.postgres.search import SearchQuery

            # Newest first, like the list: the GIN index finds the matches and the
            # published_at index orders them, so a common word stays fast at 100,000 records.
            return records.filter(
                search_vector=SearchQuery(query, config="english", search_type="websearch")
            )
        return records.filter(Q(title__icontains=query) | Q(section_a__icontains=query))


class RecordStaffFilterForm(FilterForm):
    button_class = "govuk-button govuk-button--secondary"

    def get_layout(self):
        return [Field.select("status")]


class RecordStaffFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        label="Status",
        choices=DecisionStatus.choices,
        empty_label="Any",
        error_messages={"invalid_choice": "Select a status from the list"},
    )

    class Meta:
        model = DecisionRecord
        fields = ["status"]
        form = RecordStaffFilterForm
