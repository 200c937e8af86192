"""How a view shows a service's refusal: one place, so every form page says it the same way.

A service refuses with a ValidationError and has saved nothing (each is one transaction);
the person sees why, on the page they were on, with what they typed kept.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect

from .forms import add_service_errors


class ServiceFormMixin:
    """A form view whose valid form is handed to a service in `perform(form)`, which returns
    the response (usually a redirect after a success message).

    A refusal is put on the form, on the fields it names (else on `service_error_field`, or
    above the form), and the form is shown again with its error summary.
    """

    service_error_field: str | None = None

    def perform(self, form):
        raise NotImplementedError(f"{type(self).__name__} must define perform(form)")

    def form_valid(self, form):
        try:
            return self.perform(form)
        except ValidationError as exc:
            add_service_errors(form, exc, field=self.service_error_field)
            return self.form_invalid(form)


class ServiceActionMixin:
    """A button that acts without a page of its own (accept a request, retry a PDF):
    `perform(form)` calls the service and returns where to go; a refusal is shown as an
    error message on the page it came from, `refused_url()`."""

    def perform(self, form):
        raise NotImplementedError(f"{type(self).__name__} must define perform(form)")

    def refused_url(self) -> str:
        raise NotImplementedError(f"{type(self).__name__} must define refused_url()")

    def form_valid(self, form):
        try:
            return self.perform(form)
        except ValidationError as exc:
            messages.error(self.request, " ".join(exc.messages))
            return HttpResponseRedirect(self.refused_url())
