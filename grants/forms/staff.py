"""OPCC staff's forms on applications: logging a bid, eligibility, submitting a logged bid
and filtering a round's applications."""

from crispy_forms_gds.layout import Field, Fieldset, Fluid, Size
from django import forms

from partners.models import Organisation
from svd_portal.forms import DateTimeInput

from ..enums import Channel
from .common import helper


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
