"""Telling providers what happened (issue 19, item 9): an organisation waiting for verification
is told before it starts an application, and every status email links to the application."""

import pytest
from django.core import mail
from django.urls import reverse

from grants import services
from partners.enums import Role
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    complete_application,
)

WAITING = (
    "Your organisation Ferryhill Food Bank is waiting for the OPCC to verify it; "
    "this usually takes up to {days} working days."
)


@pytest.fixture
def waiting_client(client, db):
    """A provider whose only organisation is still waiting for verification."""
    user = UserFactory(email="waiting@example.org", roles=[Role.PROVIDER])
    MembershipFactory(
        user=user, organisation=OrganisationFactory(name="Ferryhill Food Bank", pending=True)
    )
    client.force_login(user)
    return client


# --- An unverified organisation learns before it starts ------------------------------------


def test_start_page_unverified_organisation_says_it_is_waiting_instead_of_the_form(
    waiting_client, open_round
):
    html = waiting_client.get(
        reverse("grants:application-start", args=[open_round.slug])
    ).content.decode()

    assert WAITING.format(days=5) in html
    assert 'name="title"' not in html
    assert "Start an application" in html  # the heading stays


def test_round_page_unverified_organisation_says_it_is_waiting_instead_of_start(
    waiting_client, open_round, settings
):
    settings.VERIFICATION_WORKING_DAYS = 8

    html = waiting_client.get(
        reverse("grants:round-detail", args=[open_round.slug])
    ).content.decode()

    assert WAITING.format(days=8) in html
    assert reverse("grants:application-start", args=[open_round.slug]) not in html


def test_round_and_start_pages_verified_organisation_gets_the_form(provider_client, open_round):
    """Seaham Street Sport is verified: no waiting message, the button and the form."""
    start_url = reverse("grants:application-start", args=[open_round.slug])
    round_html = provider_client.get(
        reverse("grants:round-detail", args=[open_round.slug])
    ).content.decode()
    start_html = provider_client.get(start_url).content.decode()

    assert "waiting for the OPCC" not in round_html + start_html
    assert f'href="{start_url}"' in round_html
    assert 'name="title"' in start_html


def test_start_page_one_verified_and_one_waiting_organisation_gets_the_form(
    provider_client, provider_user, open_round
):
    MembershipFactory(
        user=provider_user,
        organisation=OrganisationFactory(name="Ferryhill Food Bank", pending=True),
    )

    html = provider_client.get(
        reverse("grants:application-start", args=[open_round.slug])
    ).content.decode()

    assert "waiting for the OPCC" not in html
    assert 'name="title"' in html


# --- Status emails link to the application -------------------------------------------------


def test_status_email_links_to_the_application(
    provider_client, draft, eager_celery, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        application = services.application_submit(
            application=complete_application(draft), by=draft.created_by
        )
        response = provider_client.post(
            reverse("grants:application-withdraw", args=[application.reference]),
            {"reason": "Funded elsewhere"},
        )

    assert response.status_code == 302
    link = f"http://localhost:8000/applications/{application.reference}/"
    receipt, withdrawn = mail.outbox
    assert receipt.subject == "Application received: VPF-0001"
    assert f"See the application:\n{link}\n" in receipt.body
    assert withdrawn.subject == "Your application VPF-0001 is now: withdrawn"
    assert f"See the application:\n{link}\n" in withdrawn.body
