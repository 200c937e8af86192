"""Every form page, posted empty, says what went wrong the GOV.UK way: the title starts
with one "Error: ", each error summary link lands on an element of the page (a radio or
checkbox question's first input), and each message says what to do."""

import re
from html import unescape

import pytest
from django import forms
from django.contrib.auth.tokens import default_token_generator
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from decisions.enums import DecisionStatus
from grants.enums import ApplicationStatus, Channel
from grants.models import Application
from tests.decisions import conftest as decisions
from tests.factories import (
    ApplicationFactory,
    FundingRoundFactory,
    StrategicPriorityFactory,
    complete_application,
)
from tests.partners import conftest as partners

future_day = decisions.future_day
make_record = decisions.make_record
pending_organisation = partners.pending_organisation
requested_membership = partners.requested_membership
section_b_storage = decisions.section_b_storage  # autouse: Section B reports in tmp_path

SUMMARY = re.compile(r'<div class="govuk-error-summary".*?</ul>', re.S)


def assert_errors_told(response):
    """The page a form with errors comes back on."""
    assert response.status_code in (200, 400)
    html = response.content.decode()
    title = unescape(re.search(r"<title>(.*?)</title>", html, re.S).group(1)).strip()
    assert title.startswith("Error: ")
    assert not title.startswith("Error: Error:")
    summaries = SUMMARY.findall(html)
    assert summaries, "no error summary"
    ids = set(re.findall(r'\bid="([^"]+)"', html))
    for summary in summaries:
        for target in re.findall(r'href="#([^"]*)"', summary):
            assert target in ids, f"the summary links to #{target}, which is not on the page"
    assert "This field is required." not in html


@pytest.fixture
def open_round(db):
    priority = StrategicPriorityFactory(number=1)
    return FundingRoundFactory(slug="open-round", reference_prefix="OPN", priorities=[priority])


@pytest.fixture
def draft(open_round, provider_user):
    return ApplicationFactory(
        round=open_round,
        organisation=provider_user.memberships.get().organisation,
        created_by=provider_user,
        reference="OPN-0001",
    )


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("name", ["login", "partners:signup", "password_reset"])
def test_public_form_posted_empty(db, name):
    assert_errors_told(Client().post(reverse(name), {}))


@pytest.mark.parametrize("name", ["partners:organisation-register", "partners:organisation-join"])
def test_provider_form_posted_empty(provider_user, name):
    assert_errors_told(signed_in(provider_user).post(reverse(name), {}))


def test_application_start_posted_empty(provider_user, open_round):
    url = reverse("grants:application-start", args=[open_round.slug])
    assert_errors_told(signed_in(provider_user).post(url, {}))


@pytest.mark.parametrize(
    ("section", "posted"),
    [
        ("project", {"title": ""}),
        ("priorities", {"priorities": "999"}),
        ("evidence", {"evidence_strand": "999"}),
        ("outcomes", {"success_measures": "999"}),
    ],
)
def test_application_section_posted_invalid(provider_user, draft, section, posted):
    # Sections save partial answers, so an empty post is accepted: an answer no one could give
    # (no such choice, an amount that is not one) is not.
    url = reverse("grants:application-section", args=[draft.reference, section])
    assert_errors_told(signed_in(provider_user).post(url, posted))


@pytest.mark.parametrize("name", ["grants:application-budget", "grants:application-attachments"])
def test_application_part_posted_empty(provider_user, draft, name):
    url = reverse(name, args=[draft.reference])
    assert_errors_told(signed_in(provider_user).post(url, {}))


@pytest.mark.parametrize(
    "name", ["grants:staff-round-log-bid", "grants:staff-round-edit", "grants:staff-round-close"]
)
def test_staff_round_form_posted_empty(staff_user, open_round, name):
    url = reverse(name, args=[open_round.slug])
    assert_errors_told(signed_in(staff_user).post(url, {}))


def test_round_create_posted_empty(staff_user, open_round):
    assert_errors_told(signed_in(staff_user).post(reverse("grants:staff-round-create"), {}))


def test_eligibility_posted_empty(staff_user, draft):
    Application.objects.filter(pk=draft.pk).update(
        status=ApplicationStatus.SUBMITTED, submitted_at=timezone.now()
    )
    url = reverse("grants:staff-application-eligibility", args=[draft.reference])
    assert_errors_told(signed_in(staff_user).post(url, {}))


def test_logged_bid_submit_posted_empty(staff_user, open_round, provider_user):
    bid = complete_application(
        ApplicationFactory(
            round=open_round,
            organisation=provider_user.memberships.get().organisation,
            created_by=staff_user,
            reference="OPN-0002",
            channel=Channel.EMAIL,
        )
    )
    url = reverse("grants:application-submit", args=[bid.reference])
    assert_errors_told(signed_in(staff_user).post(url, {}))


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/staff/rounds/open-round/", {"min_amount": "NaN", "status": "sunk", "q": "\x00"}),
        ("/staff/organisations/", {"status": "Infinity", "q": "\x00"}),
        ("/staff/decisions/", {"status": "1e999999999"}),
        ("/decisions/", {"year": "NaN", "q": "\x00"}),
    ],
)
def test_list_filtered_by_values_that_cannot_be_used(staff_user, open_round, path, params):
    assert_errors_told(signed_in(staff_user).get(path, params))


def test_organisation_verify_posted_empty(staff_user, pending_organisation):
    url = reverse("partners:organisation-verify", args=[pending_organisation.pk])
    assert_errors_told(signed_in(staff_user).post(url, {}))


def test_record_create_posted_empty(staff_user):
    assert_errors_told(signed_in(staff_user).post(reverse("decisions:staff-create"), {}))


def test_record_edit_posted_empty(staff_user, make_record):
    record = make_record(DecisionStatus.DRAFT)
    url = reverse("decisions:staff-edit", args=[record.pk])
    assert_errors_told(signed_in(staff_user).post(url, {}))


@pytest.mark.parametrize("action", ["staff-approve", "staff-return"])
def test_record_approval_posted_empty(ceo_user, make_record, action):
    record = make_record(DecisionStatus.AWAITING_APPROVAL)
    url = reverse(f"decisions:{action}", args=[record.pk])
    assert_errors_told(signed_in(ceo_user).post(url, {}))


def test_record_sign_posted_empty(pcc_user, make_record):
    record = make_record(DecisionStatus.AWAITING_SIGNATURE)
    url = reverse("decisions:staff-sign", args=[record.pk])
    assert_errors_told(signed_in(pcc_user).post(url, {}))


def test_password_set_posted_empty(provider_user):
    client = Client()
    uidb64 = urlsafe_base64_encode(force_bytes(provider_user.pk))
    token = default_token_generator.make_token(provider_user)
    client.get(reverse("password_reset_confirm", args=[uidb64, token]))
    url = reverse("password_reset_confirm", args=[uidb64, "set-password"])
    assert_errors_told(client.post(url, {}))


@pytest.mark.parametrize(
    ("title", "form_errors", "expected"),
    [
        ("Moderate OPN-0001", False, "Moderate OPN-0001"),
        ("Moderate OPN-0001", True, "Error: Moderate OPN-0001"),
        ("Error: Moderate OPN-0001", True, "Error: Moderate OPN-0001"),
        ("Error: Check your answers", False, "Error: Check your answers"),
        ("Error: Error: Check your answers", False, "Error: Check your answers"),
    ],
)
def test_error_title_has_one_prefix(title, form_errors, expected):
    form = forms.Form(data={})
    if form_errors:
        form.add_error(None, "Something is wrong")
    page = Template("{% load portal %}{% error_title %}{{ title }}{% enderror_title %}")
    assert page.render(Context({"title": title, "decision_form": form})) == expected
