"""The audit trail's filters (/staff/audit/ and its CSV): what kind, who, between which
days in London, about which record, and words in what was done."""

import datetime

import django_filters
from crispy_forms_gds.layout import Field
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils import timezone

from .filters import FilterForm, SearchFilter, grid_row
from .forms import DateInput
from .models import AuditEvent, AuditKind


class AuditFilterForm(FilterForm):
    def get_layout(self):
        return [
            grid_row(Field.text("q"), Field.text("who"), Field.select("kind")),
            grid_row(Field.text("since"), Field.text("until"), Field.text("object")),
        ]


class AuditFilter(django_filters.FilterSet):
    q = SearchFilter(
        label="What was done", help_text="Words from the line or the record", method="search"
    )
    who = SearchFilter(
        label="Who", help_text="An email address, or part of one", method="by_whom", what="name"
    )
    kind = django_filters.ChoiceFilter(
        label="Kind",
        choices=AuditKind.choices,
        empty_label="Any",
        error_messages={"invalid_choice": "Select a kind from the list"},
    )
    since = django_filters.DateFilter(
        label="From",
        method="from_day",
        widget=DateInput(),
        error_messages={"invalid": "Enter a real date, like 2026-12-01"},
    )
    until = django_filters.DateFilter(
        label="To",
        method="to_day",
        widget=DateInput(),
        error_messages={"invalid": "Enter a real date, like 2026-12-31"},
    )
    object = django_filters.CharFilter(
        label="Record",
        help_text="As its page links here, like decisions.decisionrecord:12",
        method="about",
        max_length=100,
    )

    class Meta:
        model = AuditEvent
        fields = ["q", "who", "kind", "since", "until", "object"]
        form = AuditFilterForm

    def search(self, queryset, name, value):
        return queryset.filter(Q(summary__icontains=value) | Q(object_label__icontains=value))

    def by_whom(self, queryset, name, value):
        return queryset.filter(actor__icontains=value)

    def from_day(self, queryset, name, value):
        return queryset.filter(at__gte=_start_of(value))

    def to_day(self, queryset, name, value):
        return queryset.filter(at__lt=_start_of(value + datetime.timedelta(days=1)))

    def about(self, queryset, name, value):
        label, _, pk = value.partition(":")
        app_label, _, model = label.partition(".")
        content_type = ContentType.objects.filter(app_label=app_label, model=model).first()
        if content_type is None or not pk:
            return queryset.none()
        return queryset.filter(object_type=content_type, object_id=pk)


def _start_of(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), tzinfo=timezone.get_default_timezone())
