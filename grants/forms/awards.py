"""OPCC staff's forms on the money after the signature: streams, their allocations by
financial year, withdrawing an award, and what the grants register says of one."""

from decimal import Decimal

from crispy_forms_gds.layout import Button, Field, Size
from django import forms

from partners.models import Area

from .. import fiscal
from .common import MoneyField, helper


class StreamForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=200,
        help_text="For example, Serious Violence Duty grant 2024 to 2025",
        error_messages={"required": "Enter the stream's name"},
    )
    funder = forms.CharField(
        label="Funder",
        max_length=200,
        help_text="Who gives the OPCC this money, for example the Home Office",
        error_messages={"required": "Enter who funds the stream"},
    )
    notes = forms.CharField(
        label="Notes (optional)",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = helper(
            Field.text("name"), Field.text("funder"), Field.textarea("notes"), submit="Save stream"
        )


class AllocationForm(forms.Form):
    financial_year = forms.CharField(
        label="Financial year",
        max_length=20,
        help_text="1 April to 31 March, written like 2024-25",
        error_messages={"required": "Enter the financial year, like 2024-25"},
    )
    labour = MoneyField(
        label="Labour (£)",
        min_value=Decimal("0"),
        widget=forms.TextInput,
        help_text="Staff costs",
        error_messages={"required": "Enter the labour allocation, or 0"},
    )
    non_labour = MoneyField(
        label="Non-labour (£)",
        min_value=Decimal("0"),
        widget=forms.TextInput,
        help_text="Everything else",
        error_messages={"required": "Enter the non-labour allocation, or 0"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("labour", "non_labour"):
            self.fields[name].error_messages["min_value"] = "Enter an amount of £0 or more"
        self.helper = helper(
            Field.text("financial_year", field_width=5),
            Field.text("labour", field_width=10),
            Field.text("non_labour", field_width=10),
            submit="Set the year's allocation",
        )

    def clean_financial_year(self):
        label = self.cleaned_data["financial_year"].strip()
        fiscal.validate_year(label)
        return label


class AwardWithdrawForm(forms.Form):
    reason = forms.CharField(
        label="Why is the award withdrawn?",
        help_text="Kept with the award's history. Its money is no longer committed.",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter why the award is withdrawn"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        form_helper = helper(Field.textarea("reason"))
        form_helper.layout[-1] = Button.warning("submit", "Withdraw the award")
        self.helper = form_helper


class RegisterDetailsForm(forms.Form):
    """What the grants register says of an award beyond its facts."""

    rationale = forms.CharField(
        label="Why is the grant expected to reduce crime and disorder?",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Published on the grants register. Drafted from what the bid said it would "
        "achieve: put it in plain words.",
        error_messages={"required": "Say why the grant is expected to reduce crime and disorder"},
    )
    areas = forms.ModelMultipleChoiceField(
        label="Areas it is delivered in",
        queryset=Area.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose areas from the list"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = helper(
            Field.textarea("rationale"),
            Field.checkboxes("areas", legend_size=Size.SMALL),
            submit="Save",
        )
