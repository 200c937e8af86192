"""Funding rounds: the round itself with its caps and criteria, moving and closing it."""

from decimal import Decimal

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Fieldset, Fluid, Layout, Size
from django import forms

from partners.models import StrategicPriority
from svd_portal.forms import DateInput, DateTimeInput

from ..enums import CapCategory
from ..models import FundingRound, FundingStream
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
            "stream",
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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["priorities"].queryset = StrategicPriority.objects.order_by("number")
        self.fields["stream"].queryset = FundingStream.objects.order_by("name")
        self.fields["stream"].empty_label = "None yet"
        self.fields[
            "stream"
        ].help_text = (
            "Where the money comes from: the awards the PCC signs are committed against it"
        )
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
            Field.select("stream"),
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
            submit="Save round",
        )
        # The page puts the criteria and the button inside the same <form> as these fields.
        self.helper.form_tag = False
        del self.helper.layout[-1]

    @classmethod
    def initial_from(cls, data) -> dict:
        """What was posted, as initial values: to show the form again as it was filled in."""
        return {
            name: data.getlist(name) if name == "priorities" else data.get(name)
            for name in cls.base_fields
            if name in data
        }

    def clean_reference_prefix(self):
        return self.cleaned_data["reference_prefix"].strip().upper()

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


WEIGHT_MESSAGE = "The weight must be 0 to 999 with at most 2 decimal places"
SCALE_MESSAGE = "The highest score must be 1 to 100"
MAX_CRITERIA = 20


class CriterionForm(forms.Form):
    """One assessment criterion. Its number is its place among the criteria kept."""

    title = forms.CharField(
        label="Criterion title",
        max_length=200,
        error_messages={
            "required": "Enter the criterion's title",
            "max_length": "The title must be 200 characters or fewer",
        },
    )
    guidance = forms.CharField(
        label="Scoring guidance",
        required=False,
        widget=forms.Textarea,
        help_text="What each score means, e.g. 5: strong evidence from the YEF Toolkit",
    )
    # Text rather than a DecimalField: the checks below are the ones the round has always
    # had, with one message, whatever the browser sends.
    weight = forms.CharField(
        label="Weight",
        max_length=40,
        error_messages={"required": "Enter the criterion's weight", "max_length": WEIGHT_MESSAGE},
    )
    scale_max = forms.IntegerField(
        label="Highest score",
        initial=5,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        min_value=1,
        max_value=100,
        error_messages={
            "required": "Enter the highest score",
            "invalid": SCALE_MESSAGE,
            "min_value": SCALE_MESSAGE,
            "max_value": SCALE_MESSAGE,
        },
    )

    def clean_weight(self):
        try:
            weight = Decimal(self.cleaned_data["weight"])
        except ArithmeticError:
            raise forms.ValidationError(WEIGHT_MESSAGE) from None
        # "NaN" and "1e-999999" are decimals too: NaN cannot be compared, and the
        # column keeps 2 decimal places, so 0.001 would be stored as 0.
        if (
            not weight.is_finite()
            or not 0 <= weight <= 999
            or weight != weight.quantize(Decimal("0.01"))
        ):
            raise forms.ValidationError(WEIGHT_MESSAGE)
        return weight


def criterion_helper(index: int | None, removable: bool) -> FormHelper:
    """One fieldset per criterion, inside the round's form."""
    form_helper = FormHelper()
    form_helper.form_tag = False
    form_helper.disable_csrf = True
    fields = [
        Field.text("title"),
        Field.textarea("guidance", rows=3),
        Field.text("weight", field_width=5),
        Field.text("scale_max", field_width=3),
    ]
    if removable:
        fields.append(Field.checkbox("DELETE"))
    legend = "Criterion" if index is None else f"Criterion {index + 1}"
    form_helper.layout = Layout(Fieldset(*fields, legend=legend, legend_size=Size.MEDIUM))
    return form_helper


class BaseCriterionFormSet(forms.BaseFormSet):
    """The round's criteria: one form each, blank forms to add more, a box to remove one.

    A browser sends the number of forms: a number past MAX_CRITERIA, or none at all, is
    an error on the page, never a crash or a thousand empty forms."""

    default_error_messages = {
        "missing_management_form": "The criteria could not be read: reload the page and "
        "enter them again",
        "too_many_forms": "Give no more than %(num)d criteria",
        "too_few_forms": "Give at least one criterion",
    }

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = "Remove this criterion"
        form.helper = criterion_helper(index, "DELETE" in form.fields)

    def full_clean(self):
        super().full_clean()
        if self.is_bound and not self.management_form.is_valid():
            # Django then also says "at least one": the count that went missing is the cause.
            self._non_form_errors = self.error_class(
                [self.error_messages["missing_management_form"]],
                error_class="nonform",
                renderer=self.renderer,
            )

    def add_non_form_error(self, message: str) -> None:
        self.non_form_errors().append(message)

    def criteria(self) -> list[dict]:
        """The criteria kept, numbered in order, as grants.services.round_save takes them."""
        kept = [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and not self._should_delete_form(form)
        ]
        return [
            {
                "number": number,
                "title": row["title"],
                "guidance": row["guidance"],
                "weight": row["weight"],
                "scale_max": row["scale_max"],
            }
            for number, row in enumerate(kept, start=1)
        ]


CriterionFormSet = forms.formset_factory(
    CriterionForm,
    formset=BaseCriterionFormSet,
    extra=2,
    min_num=1,
    validate_min=True,
    max_num=MAX_CRITERIA,
    validate_max=True,
    absolute_max=MAX_CRITERIA + 5,
    can_delete=True,
    can_delete_extra=False,
)


def criteria_posted(data, prefix: str = "criteria") -> list[dict]:
    """The criteria a post holds, as initial values, less the blank and the removed ones:
    to show them again with one more, unchecked."""
    try:
        total = min(int(data.get(f"{prefix}-TOTAL_FORMS", "")), MAX_CRITERIA)
    except ValueError:
        total = 0
    rows = []
    for index in range(total):
        row = {name: data.get(f"{prefix}-{index}-{name}", "") for name in CriterionForm.base_fields}
        blank = not any(row[name].strip() for name in ("title", "guidance", "weight"))
        if not blank and not data.get(f"{prefix}-{index}-DELETE"):
            rows.append(row)
    return rows


def criteria_initial(funding_round) -> list[dict]:
    """A round's criteria as the formset shows them."""
    if funding_round is None or funding_round.pk is None:
        return []
    return [
        {
            "title": c.title,
            "guidance": c.guidance,
            "weight": f"{c.weight.normalize():f}",
            "scale_max": c.scale_max,
        }
        for c in funding_round.criteria.order_by("number")
    ]


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
