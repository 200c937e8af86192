"""Forms before and at the offer: bank details and their verification, an item of due
diligence, agreement templates, the offer, and the signatory's answer."""

from crispy_forms_gds.layout import Button, Field, Size
from django import forms
from django.utils.html import format_html

from svd_portal.forms import DateInput

from ..diligence import DATE_LABELS, EVIDENCE_ITEMS
from ..enums import AgreementOutcome, DiligenceItem, FraudRisk
from ..models import CLAUSES, AgreementTemplate
from .common import helper

# Bank numbers are typed, never filled in by the browser or checked for spelling.
NUMBER_ATTRS = {"autocomplete": "off", "spellcheck": "false", "inputmode": "numeric"}


class BankNumbersForm(forms.Form):
    sort_code = forms.CharField(
        label="Sort code",
        max_length=8,
        help_text="Must be 6 digits long",
        widget=forms.TextInput(attrs=NUMBER_ATTRS),
        error_messages={"required": "Enter a sort code"},
    )
    account_number = forms.CharField(
        label="Account number",
        max_length=10,
        help_text="Must be between 6 and 8 digits long",
        widget=forms.TextInput(attrs=NUMBER_ATTRS),
        error_messages={"required": "Enter an account number"},
    )


class BankDetailsForm(BankNumbersForm):
    account_name = forms.CharField(
        label="Name on the account",
        max_length=140,
        error_messages={"required": "Enter the name on the account"},
    )
    field_order = ["account_name", "sort_code", "account_number"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = helper(
            Field.text("account_name"),
            Field.text("sort_code", field_width=5),
            Field.text("account_number", field_width=10),
            submit="Save bank details",
        )


class BankVerifyForm(BankNumbersForm):
    """The verifier types the numbers from the evidence; the portal compares them."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sort_code"].help_text = "As the bank letter or statement shows it"
        self.fields["account_number"].help_text = "As the bank letter or statement shows it"
        self.helper = helper(
            Field.text("sort_code", field_width=5),
            Field.text("account_number", field_width=10),
            submit="Verify bank details",
        )


class DiligenceCheckForm(forms.Form):
    """One item of due diligence; the fields are those the item has."""

    satisfactory = forms.TypedChoiceField(
        label="Is it satisfactory?",
        choices=[
            ("yes", "Yes, it is satisfactory"),
            ("no", "No: refuse it and tell the organisation"),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether it is satisfactory"},
    )
    number = forms.CharField(
        label="Charity or company number checked", max_length=20, required=False
    )
    dated_on = forms.DateField(
        widget=DateInput(),
        required=False,
        error_messages={"invalid": "Enter a real date, like 2 12 2026"},
    )
    file = forms.FileField(required=False)
    rating = forms.ChoiceField(
        label="Fraud-risk rating",
        choices=FraudRisk.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    note = forms.CharField(
        label="Notes",
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, item: str, **kwargs):
        super().__init__(*args, **kwargs)
        keep = {"satisfactory", "note"}
        layout = [Field.radios("satisfactory", legend_size=Size.SMALL, inline=True)]
        if item == DiligenceItem.ORGANISATION:
            keep |= {"number"}
            layout.append(Field.text("number", field_width=10))
        if item in DATE_LABELS:
            keep |= {"dated_on"}
            self.fields["dated_on"].label = DATE_LABELS[item]
            layout.append(Field.text("dated_on", field_width=10))
        if item in EVIDENCE_ITEMS:
            keep |= {"file"}
            self.fields["file"].label = "The document checked"
            self.fields["file"].help_text = (
                "A PDF, Word or OpenDocument file, or an image. Leave empty to keep the one "
                "already attached."
            )
            layout.append(Field("file"))
        if item == DiligenceItem.FRAUD_RISK:
            keep |= {"rating"}
            self.fields["satisfactory"].label = "Can the grant be offered at this risk?"
            self.fields["satisfactory"].choices = [
                ("yes", "Yes"),
                ("no", "No: the risk is too high (the organisation is not told)"),
            ]
            layout.append(Field.radios("rating", legend_size=Size.SMALL, inline=True))
            self.fields["note"].label = "Reason for the rating"
        else:
            self.fields["note"].help_text = (
                "What you checked; if you refuse the item, what is wrong (the organisation "
                "is sent this)"
            )
        layout.append(Field.textarea("note"))
        for name in set(self.fields) - keep:
            del self.fields[name]
        self.helper = helper(*layout, submit="Save")


class AgreementTemplateForm(forms.ModelForm):
    class Meta:
        model = AgreementTemplate
        fields = ["name", *(field for field, _ in CLAUSES)]
        labels = {"name": "Name", **dict(CLAUSES)}
        widgets = {field: forms.Textarea(attrs={"rows": 6}) for field, _ in CLAUSES}
        error_messages = {
            "name": {"required": "Enter the template's name"},
            **{
                field: {"required": f"Enter the clause on {heading.lower()}"}
                for field, heading in CLAUSES
            },
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = helper(
            Field.text("name"),
            *(Field.textarea(field) for field, _ in CLAUSES),
            submit="Save template",
        )

    def validate_unique(self):
        """The service says a name is taken, in its own words."""


class OfferForm(forms.Form):
    template = forms.ModelChoiceField(
        label="Agreement template",
        queryset=AgreementTemplate.objects.all(),
        empty_label=None,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the agreement template",
            "invalid_choice": "Choose one of the agreement templates",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = helper(
            Field.radios("template", legend_size=Size.SMALL), submit="Offer the grant agreement"
        )


class AcceptForm(forms.Form):
    signatory_name = forms.CharField(
        label="Your full name",
        max_length=200,
        error_messages={"required": "Enter your full name"},
    )
    signatory_position = forms.CharField(
        label="Your position in the organisation",
        max_length=200,
        help_text="For example, Chair of trustees",
        error_messages={"required": "Enter your position in the organisation"},
    )
    confirm = forms.BooleanField(
        error_messages={"required": "Confirm that you accept the agreement"},
    )
    sha256 = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, organisation_name: str, **kwargs):
        super().__init__(*args, **kwargs)
        # The layout marks labels safe: the organisation's own name is escaped here.
        self.fields["confirm"].label = format_html(
            "I have read the agreement and accept it for {}, as its authorised signatory",
            organisation_name,
        )
        self.fields["sha256"].error_messages["required"] = (
            "Open the agreement's page again, read it, then accept it"
        )
        self.helper = helper(
            Field.text("signatory_name"),
            Field.text("signatory_position"),
            Field.checkbox("confirm"),
            Field("sha256"),
            submit="Accept the grant agreement",
        )


class AgreementReturnForm(forms.Form):
    outcome = forms.ChoiceField(
        label="What do you want to do?",
        choices=[
            (AgreementOutcome.CHANGES_ASKED, "Ask the OPCC for changes"),
            (AgreementOutcome.DECLINED, "Decline the grant"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether you ask for changes or decline"},
    )
    message = forms.CharField(
        label="Your message to the OPCC",
        max_length=4000,
        help_text="What should change, or why you decline",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Tell the OPCC what should change, or why you decline"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        form_helper = helper(
            Field.radios("outcome", legend_size=Size.SMALL), Field.textarea("message")
        )
        form_helper.layout[-1] = Button.secondary("submit", "Send to the OPCC")
        self.helper = form_helper
