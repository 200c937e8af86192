"""ServiceFormMixin and ServiceActionMixin: a service's refusal shown on the page, never a 500."""

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.test import RequestFactory
from django.views.generic import FormView, TemplateView

from svd_portal.mixins import ServiceActionMixin, ServiceFormMixin, ServiceFormOnPageMixin


class AmountForm(forms.Form):
    title = forms.CharField()
    amount = forms.DecimalField()


def service(*, title, amount):
    """A stand-in service: refuses as the portal's services do."""
    if amount > 25000:
        raise ValidationError({"amount": "The most you can ask for is £25,000.00"})
    if title == "closed":
        raise ValidationError("The round is not open for applications")
    if title == "not yours":
        raise PermissionDenied("Only the applicant can do this")
    return HttpResponse("saved", status=201)


class AmountView(ServiceFormMixin, FormView):
    form_class = AmountForm

    def perform(self, form):
        return service(**form.cleaned_data)

    def form_invalid(self, form):
        return HttpResponse(repr(sorted(form.errors.items())), status=200)


class AmountAction(ServiceActionMixin, FormView):
    form_class = AmountForm

    def perform(self, form):
        return service(**form.cleaned_data)

    def refused_url(self):
        return "/back/"


def post(view, data):
    request = RequestFactory().post("/", data)
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request, view.as_view()(request)


def test_a_service_that_accepts_gives_the_views_response():
    _, response = post(AmountView, {"title": "Youth work", "amount": "4500"})

    assert (response.status_code, response.content) == (201, b"saved")


def test_a_refusal_naming_a_field_is_put_on_that_field():
    _, response = post(AmountView, {"title": "Youth work", "amount": "30000"})

    assert response.content.decode() == "[('amount', ['The most you can ask for is £25,000.00'])]"


def test_a_refusal_naming_no_field_goes_above_the_form():
    _, response = post(AmountView, {"title": "closed", "amount": "10"})

    assert response.content.decode() == "[('__all__', ['The round is not open for applications'])]"


def test_a_refusal_naming_no_field_goes_on_the_views_chosen_field():
    class OnTitle(AmountView):
        service_error_field = "title"

    _, response = post(OnTitle, {"title": "closed", "amount": "10"})

    assert response.content.decode() == "[('title', ['The round is not open for applications'])]"


def test_permission_denied_is_not_swallowed_it_is_a_403_for_django():
    with pytest.raises(PermissionDenied):
        post(AmountView, {"title": "not yours", "amount": "10"})


def test_an_action_refused_goes_back_with_the_reason_as_an_error_message():
    request, response = post(AmountAction, {"title": "closed", "amount": "10"})

    assert (response.status_code, response["Location"]) == (302, "/back/")
    assert [(m.level_tag, m.message) for m in get_messages(request)] == [
        ("error", "The round is not open for applications")
    ]


def test_a_view_that_forgets_perform_says_so():
    class Forgetful(ServiceFormMixin, FormView):
        form_class = AmountForm

    with pytest.raises(NotImplementedError) as exc:
        post(Forgetful, {"title": "Youth work", "amount": "1"})

    assert str(exc.value) == "Forgetful must define perform(form)"


def test_an_action_with_no_fields_needs_no_form_class():
    class Button(ServiceActionMixin, FormView):
        def perform(self, form):
            return service(title="closed", amount=1)

        def refused_url(self):
            return "/back/"

    request, response = post(Button, {})

    assert (response.status_code, response["Location"]) == (302, "/back/")
    assert [m.message for m in get_messages(request)] == ["The round is not open for applications"]


def test_an_action_whose_form_is_not_valid_goes_back_with_its_invalid_message():
    class Said(AmountAction):
        invalid_message = "Give the amount."

    request, response = post(Said, {"title": "Youth work", "amount": "lots"})

    assert (response.status_code, response["Location"]) == (302, "/back/")
    assert [(m.level_tag, m.message) for m in get_messages(request)] == [
        ("error", "Give the amount.")
    ]


def test_an_action_whose_form_is_not_valid_says_the_forms_errors_when_it_has_no_message():
    request, response = post(AmountAction, {"title": "", "amount": "lots"})

    assert (response.status_code, response["Location"]) == (302, "/back/")
    assert [m.message for m in get_messages(request)] == ["This field is required. Enter a number."]


def test_an_action_that_cannot_find_where_to_go_back_leaves_no_message():
    class Lost(AmountAction):
        def refused_url(self):
            raise Http404("No such page")

    request = RequestFactory().post("/", {"title": "closed", "amount": "10"})
    request.session = SessionStore()
    request._messages = FallbackStorage(request)

    with pytest.raises(Http404):
        Lost.as_view()(request)
    assert list(get_messages(request)) == []


def test_a_view_may_show_a_refusal_its_own_way():
    class Listed(AmountView):
        def refused(self, form, exc):
            return HttpResponse(" / ".join(exc.messages), status=400)

    _, response = post(Listed, {"title": "closed", "amount": "10"})

    assert (response.status_code, response.content) == (
        400,
        b"The round is not open for applications",
    )


class AmountPage(TemplateView):
    """A page that shows the amount form, as a detail page shows a form posted elsewhere."""

    def render_to_response(self, context, **kwargs):
        errors = sorted(context["amount_form"].errors.items()) if "amount_form" in context else []
        return HttpResponse(repr(errors), **kwargs)


class AmountOnPage(ServiceFormOnPageMixin, AmountPage):
    form_class = AmountForm
    form_context_name = "amount_form"

    def perform(self, form):
        return service(**form.cleaned_data)


def test_a_form_on_a_page_refused_shows_that_page_again_with_the_refusal_as_a_400():
    _, response = post(AmountOnPage, {"title": "closed", "amount": "10"})

    assert (response.status_code, response.content.decode()) == (
        400,
        "[('__all__', ['The round is not open for applications'])]",
    )


def test_a_form_on_a_page_not_valid_shows_that_page_again_with_its_errors_as_a_400():
    _, response = post(AmountOnPage, {"title": "Youth work", "amount": "lots"})

    assert (response.status_code, response.content.decode()) == (
        400,
        "[('amount', ['Enter a number.'])]",
    )


def test_a_form_on_a_page_accepted_gives_the_views_response():
    _, response = post(AmountOnPage, {"title": "Youth work", "amount": "4500"})

    assert (response.status_code, response.content) == (201, b"saved")


def test_a_form_on_a_page_is_only_posted():
    request = RequestFactory().get("/")

    assert AmountOnPage.as_view()(request).status_code == 405
