"""The sections of the application form, one form each (grants.sections lists them)."""

from crispy_forms_gds.layout import HTML, Field, Size
from django import forms

from partners.models import StrategicPriority, SuccessMeasure

from ..models import EvidenceStrand
from .common import helper, words


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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = helper(
            Field.text("title"),
            words("summary"),
            words("description"),
            HTML(
                '<p class="govuk-body">The amount you ask for is the total of your budget '
                "lines: you enter them in the section ‘Budget’.</p>"
            ),
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
