"""What every grants form shares: the GOV.UK button row, counted textareas and money."""

from decimal import Decimal

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Layout
from django import forms

from ..sections import WORD_LIMITS


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
