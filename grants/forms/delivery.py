"""Forms of an award's delivery: the plan staff set before the offer, the grant holder's
monitoring return, staff's decision on it, and a payment marked paid."""

from crispy_forms_gds.layout import HTML, Button, Field, Fieldset, Size
from django import forms
from django.utils.html import format_html

from svd_portal.forms import DateInput

from ..enums import OUTPUT_KINDS, CloseOutItem, ReturnFrequency, TargetKind
from .common import MoneyField, helper

COUNT = {"min_value": 0, "max_value": 10_000_000}


def count_field(label: str, *, required: bool = True, message: str = "") -> forms.IntegerField:
    field = forms.IntegerField(
        label=label,
        required=required,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"}),
        **COUNT,
    )
    field.error_messages.update(
        {
            "required": message or f"Enter the target for {label.lower()}, or 0",
            "invalid": "Enter a whole number, like 40",
            "min_value": "Enter 0 or more",
            "max_value": "Enter a number of 10,000,000 or less",
        }
    )
    return field


class DeliveryPlanForm(forms.Form):
    """The targets, and the payments, one after each return of `returns` (the returns
    follow from the frequency, which the page chooses before the form)."""

    frequency = forms.ChoiceField(choices=ReturnFrequency.choices, widget=forms.HiddenInput)

    def __init__(self, *args, measures, returns, **kwargs):
        super().__init__(*args, **kwargs)
        self.measures, self.returns = measures, returns
        for kind in OUTPUT_KINDS:
            self.fields[kind] = count_field(TargetKind(kind).label)
        outcome_layout = []
        for measure in measures:
            self.fields[f"outcome_{measure.pk}"] = forms.CharField(
                label=format_html("What is counted towards “{}”", measure.title),
                max_length=300,
                help_text="For example, young people who finish the programme without a "
                "further arrest",
                error_messages={"required": f"Describe the outcome towards {measure.title}"},
            )
            self.fields[f"outcome_target_{measure.pk}"] = count_field(
                "Target", message=f"Enter the target for the outcome towards {measure.title}"
            )
            outcome_layout += [
                Field.text(f"outcome_{measure.pk}"),
                Field.text(f"outcome_target_{measure.pk}", field_width=10),
            ]
        tranche_layout = []
        for planned in returns:
            name = f"tranche_{planned.number}"
            self.fields[name] = MoneyField(
                label=(
                    f"Payment {planned.number} (£), after the "
                    f"{'final report' if planned.kind == 'final' else 'return'} for "
                    f"{planned.starts_on:%-d %B %Y} to {planned.ends_on:%-d %B %Y}"
                ),
                widget=forms.TextInput,
                error_messages={"required": f"Enter payment {planned.number}"},
            )
            tranche_layout.append(Field.text(name, field_width=10))
        self.helper = helper(
            "frequency",
            Fieldset(
                *[Field.text(kind, field_width=10) for kind in OUTPUT_KINDS],
                legend="Outputs",
                legend_size=Size.MEDIUM,
            ),
            Fieldset(
                *(
                    outcome_layout
                    or [
                        HTML(
                            '<p class="govuk-body">The bid named no success '
                            "measure: there are no outcome targets.</p>"
                        )
                    ]
                ),
                legend="Outcomes towards the success measures",
                legend_size=Size.MEDIUM,
            ),
            Fieldset(*tranche_layout, legend="Payments in arrears", legend_size=Size.MEDIUM),
            submit="Save the delivery plan",
        )

    def outputs(self) -> dict[str, int]:
        return {kind: self.cleaned_data[kind] for kind in OUTPUT_KINDS}

    def outcomes(self) -> dict[int, tuple[str, int]]:
        return {
            measure.pk: (
                self.cleaned_data[f"outcome_{measure.pk}"],
                self.cleaned_data[f"outcome_target_{measure.pk}"],
            )
            for measure in self.measures
        }

    def tranches(self):
        return [self.cleaned_data[f"tranche_{planned.number}"] for planned in self.returns]


class ReturnForm(forms.Form):
    """The grant holder's return: an actual for each target and spend to date on each
    budget line (each may be left empty while it is a draft), and what happened."""

    narrative = forms.CharField(
        label="What happened in the period",
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="What you delivered, with whom, and what changed for the people you worked with",
    )
    case_study = forms.CharField(
        label="A case study",
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="One person's story, without their name or anything that would identify "
        "them. The final report needs one.",
    )
    risks = forms.CharField(
        label="Risks and issues (optional)",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, targets, budget_lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.targets, self.budget_lines = targets, budget_lines
        actual_layout = []
        for target in targets:
            name = f"actual_{target.pk}"
            self.fields[name] = count_field(target.label, required=False)
            self.fields[
                name
            ].help_text = f"Target: {target.target:,}. Count the whole grant so far."
            actual_layout.append(Field.text(name, field_width=10))
        spend_layout = []
        for line in budget_lines:
            name = f"spend_{line.pk}"
            self.fields[name] = MoneyField(
                label=format_html(
                    "{} ({}, {})",
                    line.item,
                    line.financial_year,
                    line.get_cost_kind_display().split(" (")[0].lower(),
                ),
                required=False,
                min_value=0,
                widget=forms.TextInput,
                help_text=f"Budget £{line.amount:,}. Spend to date, or 0.",
            )
            self.fields[name].error_messages["min_value"] = "Enter £0 or more"
            spend_layout.append(Field.text(name, field_width=10))
        self.helper = helper(
            Fieldset(*actual_layout, legend="Actuals so far", legend_size=Size.MEDIUM),
            Fieldset(*spend_layout, legend="Spend to date", legend_size=Size.MEDIUM),
            Fieldset(
                Field.textarea("narrative"),
                Field.textarea("case_study"),
                Field.textarea("risks"),
                legend="What happened",
                legend_size=Size.MEDIUM,
            ),
            submit="Save and submit",
            secondary="Save as draft",
        )

    def actuals(self) -> dict[int, int | None]:
        return {t.pk: self.cleaned_data[f"actual_{t.pk}"] for t in self.targets}

    def spend(self):
        return {line.pk: self.cleaned_data[f"spend_{line.pk}"] for line in self.budget_lines}


class ReturnAcceptForm(forms.Form):
    comment = forms.CharField(
        label="Comment for the grant holder (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = helper(Field.textarea("comment"), submit="Accept the return")


class ReturnSendBackForm(forms.Form):
    comment = forms.CharField(
        label="What should the grant holder change?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say what the grant holder should change"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = helper(Field.textarea("comment"), submit="Return for changes")
        self.helper.layout[-1] = Button.secondary("submit", "Return for changes")


class PaidForm(forms.Form):
    paid_on = forms.DateField(
        label="Date paid",
        widget=DateInput(),
        error_messages={
            "required": "Enter the date finance paid it",
            "invalid": "Enter the date as a real date, like 2024-07-31",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = helper(Field.text("paid_on", field_width=10), submit="Mark as paid")


class ClawBackForm(forms.Form):
    amount = MoneyField(label="Amount recovered (£)", widget=forms.TextInput)
    recovered_on = forms.DateField(
        label="Date recovered",
        widget=DateInput(),
        error_messages={
            "required": "Enter the date the money was recovered",
            "invalid": "Enter the date as a real date, like 2024-07-31",
        },
    )
    reason = forms.CharField(
        label="Why is the money recovered?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example, money not spent on the agreed purpose. Kept with the ledger.",
        error_messages={"required": "Say why the money is recovered"},
    )
    end_award = forms.TypedChoiceField(
        label="Does the grant end?",
        coerce=lambda value: value == "yes",
        choices=[
            ("no", "No: delivery goes on, and the payments still due are made"),
            ("yes", "Yes: the award is clawed back and its unpaid payments cancelled"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether the grant ends"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        form_helper = helper(
            Field.text("amount", field_width=10),
            Field.text("recovered_on", field_width=10),
            Field.textarea("reason"),
            Field.radios("end_award", legend_size=Size.SMALL),
        )
        form_helper.layout[-1] = Button.warning("submit", "Record the money recovered")
        self.helper = form_helper


class CloseOutForm(forms.Form):
    confirmed = forms.MultipleChoiceField(
        label="Confirm each of these",
        choices=CloseOutItem.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Confirm every item of the close-out"},
    )
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = helper(
            Field.checkboxes("confirmed", legend_size=Size.SMALL),
            Field.textarea("note"),
            submit="Close the award",
        )
