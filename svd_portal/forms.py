from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

# A browser's date and datetime-local inputs show a value only in these ISO forms: in the
# locale's (02/12/2026) the input shows empty, and saving the form unchanged would fail.
ISO_DATE = "%Y-%m-%d"
ISO_MINUTE = "%Y-%m-%dT%H:%M"


class DateInput(forms.DateInput):
    """The browser's date picker, its value yyyy-mm-dd whatever the locale."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format=ISO_DATE)


class DateTimeInput(forms.DateTimeInput):
    """The browser's date-and-time picker, to the minute in UK time (the field's
    prepare_value has already moved an aware value to the current time zone)."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format=ISO_MINUTE)


def add_service_errors(form, exc: ValidationError, field: str | None = None) -> None:
    """Puts a service's ValidationError on the form: on its fields where it names them."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            target = name if name in form.fields else field
            for error in errors:
                form.add_error(None if target == NON_FIELD_ERRORS else target, error)
    else:
        for message in exc.messages:
            form.add_error(field, message)
