"""Forms validate input only; the services apply the rules."""

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Fieldset, Fluid, Layout, Size
from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm

from .enums import PROVIDER_KINDS, OrganisationKind, VerificationStatus
from .models import User
from .validators import (
    normalise_charity_number,
    normalise_company_number,
    validate_charity_number,
    validate_company_number,
)


def _helper(*fields, submit: str) -> FormHelper:
    helper = FormHelper()
    # The server is the one judge of input: browsers' own checks would hide our messages.
    helper.attrs = {"novalidate": True}
    helper.layout = Layout(*fields, Button("submit", submit))
    return helper


class SignInForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "The email address or password is not right",
    }

    username = forms.EmailField(
        label="Email address",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].widget.attrs["autocomplete"] = "current-password"
        self.fields["password"].error_messages["required"] = "Enter your password"
        self.helper = _helper(
            Field.text("username", field_width=Fluid.TWO_THIRDS),
            Field.text("password", field_width=Fluid.TWO_THIRDS),
            submit="Sign in",
        )


class SignUpForm(forms.Form):
    full_name = forms.CharField(
        label="Full name",
        max_length=150,
        error_messages={"required": "Enter your full name"},
    )
    email = forms.EmailField(
        label="Email address",
        help_text="We will send messages about your applications here",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
    )
    password1 = forms.CharField(
        label="Create a password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 10 characters; not a common password and not only numbers",
        error_messages={"required": "Create a password"},
    )
    password2 = forms.CharField(
        label="Confirm your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Enter the password again to confirm it"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["full_name"].widget.attrs["autocomplete"] = "name"
        self.helper = _helper(
            Field.text("full_name", field_width=Fluid.TWO_THIRDS),
            Field.text("email", field_width=Fluid.TWO_THIRDS),
            Field.text("password1", field_width=Fluid.TWO_THIRDS),
            Field.text("password2", field_width=Fluid.TWO_THIRDS),
            submit="Create account",
        )

    def clean_email(self):
        # No check that the address is free: saying so would tell anyone who has an account.
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", "The two passwords do not match")
        elif password1:
            candidate = User(email=cleaned.get("email", ""), full_name=cleaned.get("full_name", ""))
            try:
                password_validation.validate_password(password1, candidate)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned


class OrganisationRegisterForm(forms.Form):
    name = forms.CharField(
        label="Organisation name",
        max_length=200,
        error_messages={"required": "Enter the organisation's name"},
    )
    kind = forms.ChoiceField(
        label="What kind of organisation is it?",
        choices=[(k.value, k.label) for k in OrganisationKind if k in PROVIDER_KINDS],
        widget=forms.RadioSelect,
        error_messages={"required": "Select what kind of organisation it is"},
    )
    charity_number = forms.CharField(
        label="Charity number (if it has one)",
        required=False,
        max_length=20,
        help_text="From the Charity Commission register, for example 1123456",
    )
    company_number = forms.CharField(
        label="Company number (if it has one)",
        required=False,
        max_length=20,
        help_text="From Companies House, for example 01234567 or SC123456",
    )
    address_line_1 = forms.CharField(
        label="Address line 1",
        max_length=200,
        error_messages={"required": "Enter the first line of the address"},
    )
    address_line_2 = forms.CharField(
        label="Address line 2 (optional)", max_length=200, required=False
    )
    town = forms.CharField(
        label="Town or city",
        max_length=100,
        error_messages={"required": "Enter the town or city"},
    )
    postcode = forms.CharField(
        label="Postcode", max_length=10, error_messages={"required": "Enter the postcode"}
    )
    email = forms.EmailField(
        label="Contact email for the organisation (optional)",
        required=False,
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.com"
        },
    )
    website = forms.URLField(
        label="Website (optional)",
        required=False,
        assume_scheme="https",
        # crispy-forms-gds leaves a type="url" input unstyled: a text input with the URL keyboard.
        widget=forms.TextInput(
            attrs={"inputmode": "url", "autocomplete": "url", "spellcheck": "false"}
        ),
        error_messages={"invalid": "Enter a web address in the correct format, like example.org"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["address_line_1"].widget.attrs["autocomplete"] = "address-line1"
        self.fields["address_line_2"].widget.attrs["autocomplete"] = "address-line2"
        self.fields["town"].widget.attrs["autocomplete"] = "address-level2"
        self.fields["postcode"].widget.attrs["autocomplete"] = "postal-code"
        self.helper = _helper(
            Field.text("name"),
            Field.radios("kind", legend_size=Size.SMALL),
            Field.text("charity_number", field_width=10),
            Field.text("company_number", field_width=10),
            Fieldset(
                Field.text("address_line_1"),
                Field.text("address_line_2"),
                Field.text("town", field_width=Fluid.TWO_THIRDS),
                Field.text("postcode", field_width=10),
                legend="Address",
                legend_size=Size.SMALL,
            ),
            Field.text("email", field_width=Fluid.TWO_THIRDS),
            Field.text("website", field_width=Fluid.TWO_THIRDS),
            submit="Register organisation",
        )

    def clean_charity_number(self):
        value = normalise_charity_number(self.cleaned_data["charity_number"])
        validate_charity_number(value)
        return value

    def clean_company_number(self):
        value = normalise_company_number(self.cleaned_data["company_number"])
        validate_company_number(value)
        return value

    def clean_postcode(self):
        return " ".join(self.cleaned_data["postcode"].upper().split())


class OrganisationJoinForm(forms.Form):
    identifier = forms.CharField(
        label="Charity number, company number or exact name of the organisation",
        max_length=200,
        help_text="Staff at the OPCC will confirm that you belong to it",
        error_messages={
            "required": "Enter the charity number, company number or name of the organisation"
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(Field.text("identifier"), submit="Ask to join")


class OrganisationVerificationForm(forms.Form):
    to_status = forms.ChoiceField(
        label="Decision",
        choices=[
            (VerificationStatus.VERIFIED.value, "Verify: the organisation is who it says it is"),
            (VerificationStatus.REJECTED.value, "Do not verify"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether to verify the organisation"},
    )
    reason = forms.CharField(
        label="Reason or note",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed when you do not verify: the applicant is told",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            Field.radios("to_status", legend_size=Size.MEDIUM),
            Field.textarea("reason"),
            submit="Record decision",
        )


class MembershipDecisionForm(forms.Form):
    accept = forms.TypedChoiceField(
        coerce=lambda value: value == "yes",
        choices=[("yes", "Accept"), ("no", "Refuse")],
        error_messages={"required": "Select whether to accept the request"},
    )


class SignatoryForm(forms.Form):
    is_signatory = forms.TypedChoiceField(
        coerce=lambda value: value == "yes",
        choices=[("yes", "Make authorised signatory"), ("no", "Remove as signatory")],
        error_messages={"required": "Select whether the person signs for the organisation"},
    )


class PasswordResetRequestForm(PasswordResetForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "Email address"
        self.fields["email"].error_messages.update(
            {
                "required": "Enter your email address",
                "invalid": "Enter an email address in the correct format, like name@example.com",
            }
        )
        self.helper = _helper(
            Field.text("email", field_width=Fluid.TWO_THIRDS), submit="Send reset link"
        )

    def save(self, **kwargs):
        # Django names the site by its host in the subject; people know the service's name.
        kwargs["extra_email_context"] = {
            **(kwargs.get("extra_email_context") or {}),
            "PORTAL_SERVICE_NAME": settings.PORTAL_SERVICE_NAME,
        }
        return super().save(**kwargs)


class PasswordSetForm(SetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].error_messages["required"] = "Enter a new password"
        self.fields["new_password2"].error_messages["required"] = (
            "Enter the new password again to confirm it"
        )
        self.helper = _helper(
            Field.text("new_password1", field_width=Fluid.TWO_THIRDS),
            Field.text("new_password2", field_width=Fluid.TWO_THIRDS),
            submit="Set password",
        )


class SecondFactorForm(forms.Form):
    """A code from the authenticator app, or one of the recovery codes."""

    code = forms.CharField(
        label="Code",
        max_length=32,
        help_text="The 6 digits your authenticator app shows now, or one of your recovery codes",
        error_messages={"required": "Enter the 6 digits your authenticator app shows"},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "spellcheck": "false", "autocapitalize": "off"}
        ),
    )

    def __init__(self, *args, submit: str = "Continue", **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(Field.text("code", field_width=10), submit=submit)
        self.helper.form_tag = False  # the page's form holds `next` as well


class AppSetupForm(SecondFactorForm):
    """The first code from an app being set up: digits only."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, submit="Set up the app", **kwargs)
        self.fields["code"].help_text = "The 6 digits the app shows for this portal"
        self.fields["code"].widget.attrs["inputmode"] = "numeric"


class CloseAccountForm(forms.Form):
    """Closing one's own account: the password again, and a tick that says it is meant."""

    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Enter your password to close your account"},
    )
    understood = forms.BooleanField(
        label="I understand that closing my account cannot be undone",
        error_messages={"required": "Tick the box to say you understand it cannot be undone"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.attrs = {"novalidate": True}
        self.helper.layout = Layout(
            Field.text("password", field_width=Fluid.ONE_HALF),
            Field.checkbox("understood"),
            Button.warning("submit", "Close my account"),
        )
