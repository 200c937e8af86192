"""Forms validate input only; grants.services applies the rules."""

from decimal import Decimal

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import HTML, Button, Field, Fieldset, Fluid, Layout, Size
from django import forms

from partners.models import Organisation, StrategicPriority, SuccessMeasure
from svd_portal.forms import DateInput, DateTimeInput

from .enums import ApplicationStatus, CapCategory, Channel
from .models import EvidenceStrand, FundingRound
from .sections import WORD_LIMITS


def helper(*fields, submit: str = "Save and continue", secondary: str | None = None) -> FormHelper:
    form_helper = FormHelper()
    # The server is the one judge of input: browsers' own checks would hide our messages.
    form_helper.attrs = {"novalidate": True}
    buttons = [Button("submit", submit)]
    if secondary:
        buttons.append(Button.secondary("save_draft", secondary))
    form_helper.layout = Layout(*fields, *buttons)
    return form_helper


def words(name: str, **kwargs) -> Field:
    """A textarea that shows its word limit with GOV.UK Frontend's count (the server enforces it).

    crispy-forms-gds 2.0.1 fails on a counted field without help text: give each one a hint.
    """
    return Field.textarea(name, max_words=WORD_LIMITS[name], **kwargs)


class MoneyField(forms.DecimalField):
    """Pounds and pence, accepting "£5,000" as people type it."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 12)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", Decimal("0.01"))
        kwargs.setdefault("localize", False)
        super().__init__(**kwargs)
        self.error_messages["min_value"] = "Enter an amount more than £0"
        self.error_messages["invalid"] = "Enter an amount in pounds and pence, like 4500 or 4500.50"

    def to_python(self, value):
        if isinstance(value, str):
            value = value.replace("£", "").replace(",", "").strip()
        return super().to_python(value)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.pop("step", None)
        attrs.pop("min", None)
        attrs.update({"inputmode": "decimal", "spellcheck": "false"})
        return attrs


# --- Funding rounds ------------------------------------------------------------


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


# --- Applications: starting ------------------------------------------------------


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


class LogBidForm(forms.Form):
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        label="Organisation that sent the bid",
        error_messages={"required": "Select the organisation that sent the bid"},
    )
    channel = forms.ChoiceField(
        label="How the bid arrived",
        choices=[(Channel.EMAIL.value, "Email"), (Channel.PAPER.value, "Paper")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select how the bid arrived"},
    )
    title = forms.CharField(
        label="Project title",
        max_length=200,
        error_messages={"required": "Enter the project's title"},
    )
    # Who to tell: services.application_start asks for an email or a postal address.
    contact_name = forms.CharField(
        label="Name",
        max_length=200,
        help_text="The person who sent the bid",
        error_messages={"required": "Enter the name of the person who sent the bid"},
    )
    contact_email = forms.EmailField(
        label="Email address",
        max_length=254,
        required=False,
        help_text="The receipt and every change of status are emailed here",
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.com"
        },
    )
    contact_address = forms.CharField(
        label="Postal address",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Needed if they gave no email address: you will be asked to send letters here",
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.helper = helper(
            Field.select("organisation"),
            Field.radios("channel", legend_size=Size.SMALL),
            Field.text("title"),
            Fieldset(
                Field.text("contact_name", field_width=Fluid.TWO_THIRDS),
                Field.text("contact_email", field_width=Fluid.TWO_THIRDS),
                Field.textarea("contact_address"),
                legend="Who sent the bid",
                legend_size=Size.MEDIUM,
            ),
            submit="Log the bid",
        )


# --- Applications: sections -----------------------------------------------------


class ProjectForm(forms.Form):
    title = forms.CharField(
        label="Project title",
        max_length=200,
        error_messages={"required": "Enter the project's title"},
    )
    summary = forms.CharField(
        label="Summary",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text="What the project is, in a few sentences",
    )
    description = forms.CharField(
        label="What you will do",
        widget=forms.Textarea(attrs={"rows": 10}),
        required=False,
        help_text="The activities, how often, for how long, and who will deliver them",
    )
    amount_requested = MoneyField(
        label="Amount requested (£)",
        required=False,
        widget=forms.TextInput,
        help_text="The total of your budget lines",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = helper(
            Field.text("title"),
            words("summary"),
            words("description"),
            Field.text("amount_requested", field_width=10),
        )


class PrioritiesForm(forms.Form):
    priorities = forms.ModelMultipleChoiceField(
        queryset=StrategicPriority.objects.none(),
        label="Which of the partnership's priorities does the project address?",
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Select all that apply",
    )

    def __init__(self, *args, funding_round, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["priorities"].queryset = funding_round.priorities.order_by("number")
        self.helper = helper(Field.checkboxes("priorities", legend_size=Size.MEDIUM))


class EvidenceForm(forms.Form):
    evidence_strand = forms.ModelChoiceField(
        queryset=EvidenceStrand.objects.filter(is_active=True),
        label="Toolkit strand",
        required=False,
        empty_label="Choose a strand, or describe another evidence base below",
        help_text="From the Youth Endowment Fund Toolkit or the College of Policing Crime Reduction Toolkit",
    )
    evidence_other = forms.CharField(
        label="Other evidence base (if not a toolkit strand)", max_length=300, required=False
    )
    evidence_description = forms.CharField(
        label="How does the evidence support the project?",
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        help_text="What the toolkit or other evidence says, and how your project follows it",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = helper(
            Field.select("evidence_strand"),
            Field.text("evidence_other"),
            words("evidence_description"),
        )


class DeliveryForm(forms.Form):
    target_cohort = forms.CharField(
        label="Who is the project for?",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text="Ages, needs, how they will be referred or reached, and how many",
    )
    delivery_area = forms.CharField(
        label="Where will it be delivered?",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Towns, neighbourhoods or settings such as schools or the night-time economy",
    )
    partners_involved = forms.CharField(
        label="Which partners are involved, and how?",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text="For example the youth justice service, schools or neighbourhood policing",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = helper(
            words("target_cohort"), words("delivery_area"), words("partners_involved")
        )


class OutcomesForm(forms.Form):
    outcomes = forms.CharField(
        label="What will change because of the project?",
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        help_text="The difference for the people you work with, and how you will know",
    )
    success_measures = forms.ModelMultipleChoiceField(
        queryset=SuccessMeasure.objects.all(),
        label="Which success measures will the project contribute to?",
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = helper(
            words("outcomes"), Field.checkboxes("success_measures", legend_size=Size.SMALL)
        )


class DeclarationsForm(forms.Form):
    declare_accurate = forms.BooleanField(
        label="The information in this application is true and complete", required=False
    )
    declare_safeguarding = forms.BooleanField(
        label="We have a safeguarding policy and will follow it in this project", required=False
    )
    declare_data_protection = forms.BooleanField(
        label="We will handle personal data lawfully (UK GDPR and the Data Protection Act 2018)",
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = helper(
            HTML('<p class="govuk-body">All three are needed before you can submit.</p>'),
            Field.checkbox("declare_accurate"),
            Field.checkbox("declare_safeguarding"),
            Field.checkbox("declare_data_protection"),
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
            Field.text("amount", field_width=10),
            submit="Add budget line",
        )


def financial_years(funding_round) -> list[str]:
    """The financial years (1 April to 31 March) that the delivery period touches, e.g. 2024-25."""

    def year_of(day):
        return day.year if day.month >= 4 else day.year - 1

    first, last = year_of(funding_round.delivery_starts_on), year_of(funding_round.delivery_ends_on)
    return [f"{year}-{(year + 1) % 100:02d}" for year in range(first, last + 1)]


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


class EligibilityForm(forms.Form):
    eligible = forms.TypedChoiceField(
        label="Is the application eligible?",
        choices=[("yes", "Eligible: send it to assessment"), ("no", "Not eligible")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether the application is eligible"},
    )
    reason = forms.CharField(
        label="Reason",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed when not eligible: the applicant is told",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = helper(
            Field.radios("eligible", legend_size=Size.SMALL),
            Field.textarea("reason"),
            submit="Record eligibility",
        )


class StaffSubmitForm(forms.Form):
    """Staff submit a bid they logged, with the time it arrived."""

    received_at = forms.DateTimeField(
        label="When the bid was received",
        widget=DateTimeInput(),
        input_formats=["%Y-%m-%dT%H:%M"],
        help_text="UK time. A bid received before the closing time counts as on time",
        error_messages={"required": "Enter when the bid was received"},
    )


class ApplicationFilterForm(forms.Form):
    q = forms.CharField(label="Reference, title or organisation", required=False, max_length=200)
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any")] + list(ApplicationStatus.choices)
    )
    priority = forms.ChoiceField(label="Priority", required=False)
    category = forms.ChoiceField(
        label="Organisation",
        required=False,
        choices=[("", "Any"), ("registered", "Registered"), ("unregistered", "Unregistered")],
    )
    min_amount = forms.CharField(label="Least amount (£)", required=False, max_length=20)
    max_amount = forms.CharField(label="Most amount (£)", required=False, max_length=20)

    def __init__(self, *args, funding_round, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["priority"].choices = [("", "Any")] + [
            (str(p.pk), f"{p.number}. {p.title}") for p in funding_round.priorities.all()
        ]
