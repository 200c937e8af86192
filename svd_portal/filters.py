"""What the list filters of every app share: a search box that refuses what no row can
match, and a filter form that renders through the GOV.UK form layer and sends only its
own parameters."""

import django_filters
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import HTML, Div, Layout
from django import forms
from django.core.validators import MaxLengthValidator, ProhibitNullCharactersValidator

SEARCH_LENGTH = 200


def filter_data(params, filterset_class) -> dict | None:
    """The query string if it holds any of the filters, else None (an unbound form): an
    address with only a page number is the list unfiltered, and its form the same for
    every visitor, so a page may cache it."""
    if params and any(name in params for name in filterset_class.base_filters):
        return params
    return None


def grid_row(*fields, widths: list[str] | None = None) -> Div:
    """The filters side by side in one GOV.UK grid row, each in a column of its width
    ("one-half", "one-quarter"…; a third each where no widths are given)."""
    widths = widths or ["one-third"] * len(fields)
    return Div(
        *(
            Div(field, css_class=f"govuk-grid-column-{width}")
            for field, width in zip(fields, widths, strict=True)
        ),
        css_class="govuk-grid-row",
    )


class SearchField(forms.CharField):
    """Search words: stripped, at most 200 characters, and no NUL (PostgreSQL text holds
    none, so no row could match one)."""

    def __init__(self, *, what: str = "search", **kwargs):
        super().__init__(max_length=SEARCH_LENGTH, **kwargs)
        self.validators = [
            MaxLengthValidator(
                SEARCH_LENGTH, f"The {what} must be {SEARCH_LENGTH} characters or fewer"
            ),
            ProhibitNullCharactersValidator(f"Remove the null character from the {what}"),
        ]


class SearchFilter(django_filters.CharFilter):
    field_class = SearchField


class FilterForm(forms.Form):
    """A filter form: GET, no CSRF token, and a button without a name, so the address of a
    filtered list holds only the filters, as bookmarked links expect."""

    button = "Filter"
    button_class = "govuk-button"
    form_action = ""
    form_attrs: dict = {}

    def get_layout(self) -> list:
        raise NotImplementedError

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.form_action = self.form_action
        self.helper.attrs = {"novalidate": True, **self.form_attrs}
        self.helper.layout = Layout(
            *self.get_layout(),
            HTML(
                f'<button type="submit" class="{self.button_class}" '
                f'data-module="govuk-button">{self.button}</button>'
            ),
        )

    @property
    def unused(self) -> list[str]:
        """The labels of the filters whose values could not be used."""
        return [str(self.fields[name].label) for name in self.errors if name in self.fields]
