"""What the views share: how a service's refusal is shown, one place so every form page says
it the same way, and how a filtered list reads its filters.

A service refuses with a ValidationError and has saved nothing (each is one transaction);
the person sees why, on the page they were on, with what they typed kept.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect

from .forms import add_service_errors


class ServiceFormMixin:
    """A form view whose valid form is handed to a service in `perform(form)`, which returns
    the response (usually a redirect after a success message).

    A refusal is put on the form, on the fields it names (else on `service_error_field`, or
    above the form), and the form is shown again with its error summary by `form_invalid`.
    A page that shows a refusal another way (the submit page lists every problem) overrides
    `refused(form, exc)`.
    """

    service_error_field: str | None = None

    def perform(self, form):
        raise NotImplementedError(f"{type(self).__name__} must define perform(form)")

    def refused(self, form, exc: ValidationError):
        add_service_errors(form, exc, field=self.service_error_field)
        return self.form_invalid(form)

    def form_valid(self, form):
        try:
            return self.perform(form)
        except ValidationError as exc:
            return self.refused(form, exc)


class ServiceFormOnPageMixin(ServiceFormMixin):
    """A form shown on another view's page (the eligibility form on an application's page)
    and posted here. The view is that page's view, or a subclass of it: a form that is not
    valid, or is refused, shows the page again as a 400, with the form under
    `form_context_name` showing its errors."""

    http_method_names = ["post"]
    form_class: type[forms.Form]
    form_context_name = "form"

    def get_form(self):
        return self.form_class(self.request.POST)

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        return self.form_valid(form) if form.is_valid() else self.form_invalid(form)

    def form_invalid(self, form):
        return self.render_to_response(
            self.get_context_data(**{self.form_context_name: form}), status=400
        )


class ServiceActionMixin(ServiceFormMixin):
    """A button that acts without a page of its own (accept a request, retry a PDF):
    `perform(form)` calls the service and returns where to go; a refusal is shown as an
    error message on the page it came from, `refused_url()`.

    A button with no fields needs no form class: the empty form is always valid. A form
    that is not valid (only ever sent by hand) goes back the same way, with
    `invalid_message` or else the form's own errors.
    """

    form_class = forms.Form
    invalid_message = ""

    def refused_url(self) -> str:
        raise NotImplementedError(f"{type(self).__name__} must define refused_url()")

    def back_with_error(self, message: str):
        # Where to go is found before the message is kept, so a 404 there leaves none behind.
        url = self.refused_url()
        messages.error(self.request, message)
        return HttpResponseRedirect(url)

    def refused(self, form, exc: ValidationError):
        return self.back_with_error(" ".join(exc.messages))

    def form_invalid(self, form):
        return self.back_with_error(
            self.invalid_message
            or " ".join(message for errors in form.errors.values() for message in errors)
        )


class FilteredListMixin:
    """A list narrowed by a selector's filter set (`filter_list()` returns it, bound to the
    query string). The page gets the filter form as `filter_form`, which shows a value that
    could not be used as an error; `self.filters.errors` says so to a subclass (an export
    refuses rather than download the unfiltered list)."""

    def filter_list(self):
        raise NotImplementedError(f"{type(self).__name__} must define filter_list()")

    def get_queryset(self):
        self.filters = self.filter_list()
        return self.filters.qs

    def get_context_data(self, **kwargs):
        return super().get_context_data(filter_form=self.filters.form, **kwargs)
