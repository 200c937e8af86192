"""Funding rounds: the round itself with its caps and criteria, moving and closing it."""

from decimal import Decimal

from crispy_forms_gds.layout import Button, Field, Fieldset, Fluid, Size
from django import forms

from partners.models import StrategicPriority
from svd_portal.forms import DateInput, DateTimeInput

from ..enums import CapCategory
from ..models import FundingRound
from .common import MoneyField, helper

ROUND_REQUIRED_MESSAGES = {
    "fund_name": "Enter the fund's name",
    "title": "Enter the round's title",
    "slug": "Enter the end of the round's web address",
    "reference_prefix": "Enter the prefix for application references",
    "description": "Enter a description of the round",
    "eligibility": "Enter who can apply",
    "how_to_apply": "Enter how to apply",
    "budget": "Enter the round's budget",
    "opens_at": "Enter the date and time the round opens",
    "closes_at": "Enter the date and time the round closes",
    "stages": "Select how many stages the round has",
    "delivery_starts_on": "Enter the date delivery starts",
    "delivery_ends_on": "Enter the date delivery ends",
    "priorities": "Select the priorities the round funds",
    "unregistered_minimum": "Enter the least an unregistered organisation can ask for",
    "unregistered_maximum": "Enter the most an unregistered organisation can ask for",
    "registered_minimum": "Enter the least a registered organisation can ask for",
    "registered_maximum": "Enter the most a registered organisation can ask for",
    "criteria": "Enter the assessment criteria",
}


class RoundForm(forms.ModelForm):
    class Meta:
        model = FundingRound
        fields = [
            "fund_name",
            "title",
            "slug",
            "reference_prefix",
            "description",
            "eligibility",
            "how_to_apply",
            "budget",
            "opens_at",
            "closes_at",
            "stages",
            "full_stage_closes_at",
            "delivery_starts_on",
            "delivery_ends_on",
            "allow_multiple_applications",
            "priorities",
        ]
        widgets = {
            "opens_at": DateTimeInput(),
            "closes_at": DateTimeInput(),
            "full_stage_closes_at": DateTimeInput(),
            "delivery_starts_on": DateInput(),
            "delivery_ends_on": DateInput(),
            "stages": forms.RadioSelect,
            "priorities": forms.CheckboxSelectMultiple,
            "budget": forms.TextInput,
        }
        help_texts = {
            "opens_at": "UK time (Europe/London)",
            "closes_at": "UK time (Europe/London)",
            "slug": "The end of the round's public web address, e.g. violence-prevention-fund-2024",
        }

    budget = MoneyField(label="Budget (£)", widget=forms.TextInput)
    unregistered_minimum = MoneyField(
        label="Unregistered organisations: least (£)",
        min_value=Decimal("0"),
        widget=forms.TextInput,
    )
    unregistered_maximum = MoneyField(
        label="Unregistered organisations: most (£)", widget=forms.TextInput
    )
    registered_minimum = MoneyField(
        label="Registered organisations: least (£)", min_value=Decimal("0"), widget=forms.TextInput
    )
    registered_maximum = MoneyField(
        label="Registered organisations: most (£)", widget=forms.TextInput
    )
    criteria = forms.CharField(
        label="Assessment criteria",
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=(
            "One criterion a line: weight | highest score | title | scoring guidance. "
            "For example: 30 | 5 | Evidence base | 5: strong evidence from the YEF Toolkit …"
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["priorities"].queryset = StrategicPriority.objects.order_by("number")
        # GOV.UK style: say what to do, field by field, rather than "This field is required."
        for name, message in ROUND_REQUIRED_MESSAGES.items():
            self.fields[name].error_messages["required"] = message
        self.fields["opens_at"].input_formats = ["%Y-%m-%dT%H:%M"]
        self.fields["closes_at"].input_formats = ["%Y-%m-%dT%H:%M"]
        self.fields["full_stage_closes_at"].input_formats = ["%Y-%m-%dT%H:%M"]
        if self.instance.pk:
            caps = {cap.category: cap for cap in self.instance.caps.all()}
            for category in CapCategory.values:
                if category in caps:
                    self.initial[f"{category}_minimum"] = caps[category].minimum
                    self.initial[f"{category}_maximum"] = caps[category].maximum
            self.initial["criteria"] = "\n".join(
                f"{c.weight.normalize():f} | {c.scale_max} | {c.title} | {c.guidance}"
                for c in self.instance.criteria.all()
            )
        self.helper = helper(
            Fieldset(
                Field.text("fund_name"),
                Field.text("title"),
                Field.text("slug"),
                Field.text("reference_prefix", field_width=10),
                legend="The round",
                legend_size=Size.MEDIUM,
            ),
            Field.textarea("description"),
            Field.textarea("eligibility"),
            Field.textarea("how_to_apply"),
            Field.text("budget", field_width=10),
            Fieldset(
                Field.text("opens_at", field_width=Fluid.ONE_HALF),
                Field.text("closes_at", field_width=Fluid.ONE_HALF),
                Field.radios("stages"),
                Field.text("full_stage_closes_at", field_width=Fluid.ONE_HALF),
                Field.text("delivery_starts_on", field_width=Fluid.ONE_HALF),
                Field.text("delivery_ends_on", field_width=Fluid.ONE_HALF),
                Field.checkbox("allow_multiple_applications"),
                legend="Dates and stages",
                legend_size=Size.MEDIUM,
            ),
            Field.checkboxes("priorities", legend_size=Size.MEDIUM),
            Fieldset(
                Field.text("unregistered_minimum", field_width=10),
                Field.text("unregistered_maximum", field_width=10),
                Field.text("registered_minimum", field_width=10),
                Field.text("registered_maximum", field_width=10),
                legend="Award caps",
                legend_size=Size.MEDIUM,
            ),
            Field.textarea("criteria"),
            submit="Save round",
        )

    def clean_reference_prefix(self):
        return self.cleaned_data["reference_prefix"].strip().upper()

    def clean_criteria(self):
        criteria = []
        for number, line in enumerate(self.cleaned_data["criteria"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [part.strip() for part in line.split("|", 3)]
            try:
                weight, scale_max, title, guidance = parts
                weight = Decimal(weight)
                scale_max = int(scale_max)
            except (ValueError, ArithmeticError):
                raise forms.ValidationError(
                    f"Line {number} must read: weight | highest score | title | guidance"
                ) from None
            # "NaN" and "1e-999999" are decimals too: NaN cannot be compared, and the
            # column keeps 2 decimal places, so 0.001 would be stored as 0.
            if (
                not weight.is_finite()
                or not 0 <= weight <= 999
                or weight != weight.quantize(Decimal("0.01"))
                or not 1 <= scale_max <= 100
                or not title
            ):
                raise forms.ValidationError(
                    f"Line {number}: the weight must be 0 to 999 with at most 2 decimal places, "
                    "the highest score 1 to 100, and the title given"
                )
            criteria.append(
                {
                    "number": len(criteria) + 1,
                    "weight": weight,
                    "scale_max": scale_max,
                    "title": title[:200],
                    "guidance": guidance,
                }
            )
        return criteria

    def caps(self) -> list[dict]:
        return [
            {
                "category": category,
                "minimum": self.cleaned_data[f"{category}_minimum"],
                "maximum": self.cleaned_data[f"{category}_maximum"],
            }
            for category in CapCategory.values
        ]

    def round_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields if name != "priorities"}


class RoundMoveForm(forms.Form):
    to_status = forms.CharField(
        max_length=16, error_messages={"required": "Select the status to move the round to"}
    )
    reason = forms.CharField(max_length=2000, required=False)


class RoundCloseForm(forms.Form):
    reason = forms.CharField(
        label="Why is the round closing early?",
        help_text="Everyone with a draft application in the round is emailed this.",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter why the round is closing early"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        form_helper = helper(Field.textarea("reason"))
        form_helper.layout[-1] = Button.warning("submit", "Close the round")
        self.helper = form_helper
