"""The filters of the OPCC's list of organisations."""

import django_filters
from crispy_forms_gds.layout import Field
from django.db.models import Q

from svd_portal.filters import FilterForm, SearchFilter, grid_row

from .enums import VerificationStatus
from .models import Organisation
from .validators import normalise_charity_number, normalise_company_number


class OrganisationFilterForm(FilterForm):
    form_attrs = {"class": "govuk-!-margin-bottom-6"}

    def get_layout(self):
        return [grid_row(Field.text("q"), Field.select("status"))]


class OrganisationFilter(django_filters.FilterSet):
    """Organisations by verification status, and a search over name, charity number and
    company number (as people type them: "1234567" finds company 01234567)."""

    q = SearchFilter(label="Name, charity or company number", method="search")
    status = django_filters.ChoiceFilter(
        label="Verification",
        field_name="verification_status",
        choices=VerificationStatus.choices,
        empty_label="Any",
        error_messages={"invalid_choice": "Select a verification status from the list"},
    )

    class Meta:
        model = Organisation
        fields = ["q", "status"]
        form = OrganisationFilterForm

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(name__icontains=value)
            | Q(charity_number=normalise_charity_number(value))
            | Q(company_number=normalise_company_number(value))
        )
