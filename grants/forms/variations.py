"""Forms of a variation: the proposal (what changes and why), staff's decision on it, and
underspend moved from one award to another of its stream."""

from decimal import Decimal

from crispy_forms_gds.layout import Field, Fieldset, Size
from django import forms
from django.utils.html import format_html

from svd_portal.formatting import money
from svd_portal.forms import DateInput

from .. import fiscal
from .. import money as award_money
from ..enums import CostKind
from .common import MoneyField, helper
from .delivery import count_field

LIMIT = Decimal("9999999999.99")
REASON = {
    "label": "Why is the change needed?",
    "max_length": 4000,
    "widget": forms.Textarea(attrs={"rows": 4}),
    "error_messages": {"required": "Say why the change is needed"},
}


class SignedMoneyField(MoneyField):
    """An amount more or less: "500" or "-500" (a minus sign as people type one, too)."""

    def __init__(self, **kwargs):
        super().__init__(min_value=-LIMIT, max_value=LIMIT, **kwargs)
        self.error_messages["invalid"] = (
            "Enter an amount in pounds and pence, like 500 for more or -500 for less"
        )

    def to_python(self, value):
        if isinstance(value, str):
            value = value.replace("\u2212", "-").replace("+", "")
        return super().to_python(value)


def _kind_choices():
    return [(kind, award_money.kind_name(kind).capitalize()) for kind in CostKind.values]


class VariationForm(forms.Form):
    """What the award's variation changes: only what differs from the award as it stands
    is asked for."""

    reason = forms.CharField(**REASON)
    amount_change = SignedMoneyField(
        label="Change to the amount (£)",
        required=False,
        widget=forms.TextInput,
    )
    change_year = forms.ChoiceField(label="Financial year of the change", required=False)
    change_kind = forms.ChoiceField(
        label="Kind of cost", required=False, widget=forms.RadioSelect, choices=_kind_choices()
    )
    new_ends_on = forms.DateField(
        label="New end of delivery",
        required=False,
        widget=DateInput(),
        error_messages={"invalid": "Enter the date as a real date, like 2025-06-30"},
    )

    def __init__(self, *args, award, **kwargs):
        super().__init__(*args, **kwargs)
        self.award = award
        self.fields["amount_change"].help_text = (
            f"The award is {money(award.amount)}. Enter how much more, like 500, or how much "
            "less, like -500. Leave it empty to keep the amount."
        )
        years = fiscal.years_between(award.delivery_starts_on, award.delivery_ends_on)
        self.fields["change_year"].choices = [("", "Choose a year")] + [(y, y) for y in years]
        self.fields["new_ends_on"].help_text = (
            f"Delivery ends on {award.delivery_ends_on:%-d %B %Y}. Leave it empty to keep it; "
            "the returns and payments are planned again to a new end."
        )
        self.targets = list(award.targets.all())
        for target in self.targets:
            field = count_field(target.label, message=f"Enter the target for {target.label}")
            # crispy-forms renders a label as it is: text people typed is escaped here.
            field.label = format_html("{}", target.label)
            field.initial = target.target
            self.fields[f"target_{target.pk}"] = field
        self.lines = list(award.application.budget_lines.all())
        for line in self.lines:
            self.fields[f"budget_{line.pk}"] = MoneyField(
                label=format_html(
                    "{} ({}, {}) (£)",
                    line.item,
                    line.financial_year,
                    award_money.kind_name(line.cost_kind),
                ),
                min_value=Decimal("0"),
                max_value=LIMIT,
                initial=line.amount,
                widget=forms.TextInput,
                error_messages={"required": f"Enter the amount for {line.item}, or 0"},
            )
        layout = [
            Field.textarea("reason"),
            Fieldset(
                Field.text("amount_change", field_width=10),
                Field.select("change_year"),
                Field.radios("change_kind", legend_size=Size.SMALL, inline=True),
                legend="The amount",
                legend_size=Size.MEDIUM,
            ),
            Fieldset(
                Field.text("new_ends_on", field_width=10),
                legend="The end of delivery",
                legend_size=Size.MEDIUM,
            ),
        ]
        if self.targets:
            layout.append(
                Fieldset(
                    *(Field.text(f"target_{t.pk}", field_width=5) for t in self.targets),
                    legend="Targets",
                    legend_size=Size.MEDIUM,
                )
            )
        if self.lines:
            layout.append(
                Fieldset(
                    *(Field.text(f"budget_{line.pk}", field_width=10) for line in self.lines),
                    legend="Budget lines",
                    legend_size=Size.MEDIUM,
                )
            )
        self.helper = helper(*layout, submit="Propose the variation")

    def changes(self) -> dict:
        data = self.cleaned_data
        return {
            "reason": data["reason"],
            "amount_change": data["amount_change"] or Decimal("0"),
            "change_year": data["change_year"],
            "change_kind": data["change_kind"],
            "new_ends_on": data["new_ends_on"],
            "targets": {t.pk: data[f"target_{t.pk}"] for t in self.targets},
            "budget": {line.pk: data[f"budget_{line.pk}"] for line in self.lines},
        }


class VariationDecideForm(forms.Form):
    decision = forms.ChoiceField(
        label="Your decision",
        choices=[
            ("approve", "Approve: the award changes as the variation says"),
            ("refuse", "Refuse: the award stays as it is"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether to approve or refuse the variation"},
    )
    note = forms.CharField(
        label="Note to the grant holder",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed when you refuse: say why. It is emailed to the grant holder.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = helper(
            Field.radios("decision", legend_size=Size.SMALL),
            Field.textarea("note"),
            submit="Record the decision",
        )


class ReallocationForm(forms.Form):
    """Underspend moved from the award whose page this is to another of its stream."""

    to_award = forms.ChoiceField(
        label="Move the money to",
        error_messages={
            "required": "Choose the award to move the money to",
            "invalid_choice": "Choose an award of the same stream from the list",
        },
    )
    amount = MoneyField(label="Amount to move (£)", widget=forms.TextInput)
    financial_year = forms.ChoiceField(
        label="Financial year",
        error_messages={"required": "Choose the financial year of the money"},
    )
    cost_kind = forms.ChoiceField(
        label="Kind of cost",
        widget=forms.RadioSelect,
        choices=_kind_choices(),
        error_messages={"required": "Choose labour or non-labour"},
    )
    reason = forms.CharField(**REASON)

    def __init__(self, *args, award, others, **kwargs):
        super().__init__(*args, **kwargs)
        self.others = {other.reference: other for other in others}
        self.fields["to_award"].choices = [("", "Choose an award")] + [
            (o.reference, f"{o.reference}: {o.organisation.name}, {o.title}") for o in others
        ]
        years = sorted({split.financial_year for split in award.splits.all()})
        self.fields["financial_year"].choices = [("", "Choose a year")] + [(y, y) for y in years]
        self.helper = helper(
            Field.select("to_award"),
            Field.text("amount", field_width=10),
            Field.select("financial_year"),
            Field.radios("cost_kind", legend_size=Size.SMALL, inline=True),
            Field.textarea("reason"),
            submit="Propose the move",
        )
