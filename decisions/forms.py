"""Forms for decision records. They validate input only; decisions.services applies the rules."""

from crispy_forms_gds.layout import Field, Fieldset, Fluid, Size
from django import forms

from grants.forms import helper
from grants.models import FundingRound
from svd_portal.forms import DateInput

from .enums import Outcome


class DecisionRecordForm(forms.Form):
    title = forms.CharField(
        label="Title", max_length=300, error_messages={"required": "Enter the decision's title"}
    )
    received_on = forms.DateField(
        label="Date received in the OPCC",
        widget=DateInput(),
        error_messages={"required": "Enter the date the request was received in the OPCC"},
    )
    section_a = forms.CharField(
        label="Section A: background and the request",
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text="Published in full on the register",
        error_messages={"required": "Enter Section A: the background and the request"},
    )
    decision_text = forms.CharField(
        label="The decision requested",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter the decision requested"},
    )
    section_b = forms.FileField(
        label="Section B report (optional)",
        required=False,
        help_text="Kept private unless you choose to publish it below",
    )
    publish_section_b = forms.BooleanField(
        label="Publish the Section B report",
        required=False,
        help_text="Not when it is commercially sensitive: publish a redacted copy instead",
    )
    section_b_redacted = forms.FileField(
        label="Redacted Section B report for publication (optional)",
        required=False,
        help_text="Published with the record, beside the withheld full report",
    )
    commercially_sensitive = forms.BooleanField(
        label="The report contains commercially sensitive information", required=False
    )
    sensitivity_reason = forms.CharField(
        label="Why it is commercially sensitive",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed when it is",
    )
    exemption_basis = forms.CharField(
        label="Exemption relied on to withhold it",
        required=False,
        max_length=300,
        help_text="Shown to the public, e.g. Section 43 (commercial interests), Freedom of Information Act 2000",
    )
    publication_deferred = forms.BooleanField(label="Defer publication", required=False)
    deferral_reasons = forms.CharField(
        label="Reasons for deferring",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed when publication is deferred",
    )
    deferred_until = forms.DateField(
        label="Publish on",
        required=False,
        widget=DateInput(),
        help_text="The record is published by itself on this date",
    )
    deferral_lifted_reasons = forms.CharField(
        label="Reasons for publishing this correction before the record it corrects",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Only for a correction of a record whose publication is deferred, when "
        "this one is to be published earlier",
    )

    def __init__(self, *args, is_correction: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not is_correction:
            del self.fields["deferral_lifted_reasons"]
        self.helper = helper(
            Field.text("title"),
            Field.text("received_on", field_width=Fluid.ONE_QUARTER),
            Field.textarea("section_a"),
            Field.textarea("decision_text"),
            Fieldset(
                Field("section_b"),
                Field.checkbox("publish_section_b"),
                Field.checkbox("commercially_sensitive"),
                Field.textarea("sensitivity_reason"),
                Field.text("exemption_basis"),
                Field("section_b_redacted"),
                Field.checkbox("publication_deferred"),
                Field.textarea("deferral_reasons"),
                Field.text("deferred_until", field_width=Fluid.ONE_QUARTER),
                *([Field.textarea("deferral_lifted_reasons")] if is_correction else []),
                legend="Publication scheme considerations",
                legend_size=Size.MEDIUM,
            ),
            submit="Save draft",
        )

    def record_fields(self) -> dict:
        return {
            k: v
            for k, v in self.cleaned_data.items()
            if k not in ("section_b", "section_b_redacted")
        }


class FromRoundForm(forms.Form):
    funding_round = forms.ModelChoiceField(
        queryset=FundingRound.objects.none(),
        label="Round",
        empty_label=None,
        error_messages={"required": "Select the round to draft the decision from"},
    )

    def __init__(self, *args, rounds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["funding_round"].queryset = rounds
        self.helper = helper(Field.select("funding_round"), submit="Draft the decision")


class ApproveForm(forms.Form):
    advice_confirmed = forms.BooleanField(
        label="I have been consulted about the proposal and confirm that financial, legal and "
        "equalities advice has been taken into account in the preparation of this report",
        required=False,
    )
    name = forms.CharField(
        label="Your name as it appears on the record",
        max_length=150,
        error_messages={"required": "Enter your name as it appears on the record"},
    )
    role = forms.CharField(
        label="Role",
        max_length=150,
        initial="Chief Executive",
        error_messages={"required": "Enter your role"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = helper(
            Field.checkbox("advice_confirmed"),
            Field.text("name", field_width=Fluid.TWO_THIRDS),
            Field.text("role", field_width=Fluid.TWO_THIRDS),
            submit="Approve: send to the PCC",
        )


class ReturnForm(forms.Form):
    comments = forms.CharField(
        label="What needs to change",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        error_messages={"required": "Enter what needs to change"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        form_helper = helper(Field.textarea("comments"), submit="Return to draft")
        form_helper.layout[-1].field_classes = "govuk-button govuk-button--secondary"
        self.helper = form_helper


class SignForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Decision",
        choices=Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select your decision"},
    )
    declaration = forms.CharField(
        label="Any personal or prejudicial interest",
        initial="None",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=5000,
        help_text="I confirm that I have considered whether or not I have any personal or prejudicial "
        "interest in this matter and take the proposed decision in compliance with the Code of "
        "Conduct. Any such interests are recorded here.",
        error_messages={"required": "Enter any personal or prejudicial interest, or None"},
    )
    password = forms.CharField(
        label="Your password, to sign",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Enter your password to sign"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = helper(
            Field.radios("outcome", legend_size=Size.MEDIUM),
            Field.textarea("declaration"),
            Field.text("password", field_width=Fluid.ONE_HALF),
            submit="Sign the decision",
        )
