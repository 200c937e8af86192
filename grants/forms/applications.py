"""A provider's application: starting it, its budget lines, attachments and withdrawing it."""

from crispy_forms_gds.layout import Button, Field, Size
from django import forms

from partners.models import Organisation

from .. import fiscal
from ..enums import CostKind
from .common import MoneyField, helper


class ApplicationStartForm(forms.Form):
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        label="Which organisation is applying?",
        empty_label=None,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the organisation that is applying"},
    )
    title = forms.CharField(
        label="Project title",
        max_length=200,
        error_messages={"required": "Enter the project's title"},
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.helper = helper(
            Field.radios("organisation", legend_size=Size.SMALL),
            Field.text("title"),
            submit="Start application",
        )


class BudgetLineForm(forms.Form):
    item = forms.CharField(
        label="Item",
        max_length=200,
        help_text="For example, youth worker, 10 hours a week",
        error_messages={"required": "Enter what the money pays for"},
    )
    financial_year = forms.ChoiceField(
        label="Financial year", error_messages={"required": "Select the financial year"}
    )
    cost_kind = forms.ChoiceField(
        label="Kind of cost",
        choices=CostKind.choices,
        widget=forms.RadioSelect,
        help_text="The Home Office funds staff costs and other costs from separate amounts",
        error_messages={"required": "Select whether this is a staff cost or another cost"},
    )
    amount = MoneyField(
        label="Amount (£)",
        widget=forms.TextInput,
        error_messages={"required": "Enter the amount for this line"},
    )

    def __init__(self, *args, funding_round, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["financial_year"].choices = [(y, y) for y in financial_years(funding_round)]
        self.helper = helper(
            Field.text("item"),
            Field.select("financial_year"),
            Field.radios("cost_kind", legend_size=Size.SMALL),
            Field.text("amount", field_width=10),
            submit="Add budget line",
        )


def financial_years(funding_round) -> list[str]:
    """The financial years (1 April to 31 March) that the delivery period touches, e.g. 2024-25."""
    return fiscal.years_between(funding_round.delivery_starts_on, funding_round.delivery_ends_on)


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label="Upload a file",
        error_messages={
            "required": "Select a file to upload",
            "empty": "The selected file is empty",
        },
    )

    def __init__(self, *args, max_size: str = "10 MB", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[
            "file"
        ].help_text = f"PDF, Word, Excel, OpenDocument or an image, up to {max_size}"
        self.helper = helper(Field("file"), submit="Upload")


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label="Why are you withdrawing? (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        form_helper = helper(Field.textarea("reason"), submit="Withdraw application")
        form_helper.layout[-1] = Button.warning("submit", "Withdraw application")
        self.helper = form_helper
