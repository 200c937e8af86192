"""Bids staff log from email or paper: the applicant's contact, and where news of the bid goes.

Over HTTP as OPCC staff, with the status emails run in this process (eager Celery) once the
request's transaction commits.
"""

import datetime

import pytest
from django.core import mail
from django.utils import timezone
from django.utils.html import escape

from grants import services
from grants.enums import ApplicationStatus, Channel, Stage
from grants.models import Application, FundingRound
from tests.factories import (
    ApplicationFactory,
    FundingRoundFactory,
    OrganisationFactory,
    complete_application,
)

S = ApplicationStatus
ADDRESS = "12 Front Street\r\nDurham\r\nDH1 3NJ"
ONE_LINE = "12 Front Street, Durham, DH1 3NJ"


@pytest.fixture
def open_round(db):
    return FundingRoundFactory(slug="vpf", reference_prefix="VPF")


def _page(response) -> str:
    return response.content.decode()


def _log(client, funding_round, organisation, **contact):
    return client.post(
        f"/staff/rounds/{funding_round.slug}/log-bid/",
        {"organisation": organisation.pk, "title": "Detached youth work", **contact},
    )


def _submit_and_find_ineligible(client, bid, capture):
    """Fills the bid in, submits it as received an hour ago, then records it as not eligible."""
    complete_application(bid)
    received = timezone.localtime(timezone.now() - datetime.timedelta(hours=1))
    with capture(execute=True):
        submitted = client.post(
            f"/applications/{bid.reference}/submit/",
            {"received_at": received.strftime("%Y-%m-%dT%H:%M")},
        )
    assert submitted.status_code == 302
    receipt = client.get(submitted.url)
    with capture(execute=True):
        moved = client.post(
            f"/staff/applications/{bid.reference}/eligibility/",
            {"eligible": "no", "reason": "Outside the force area"},
            follow=True,
        )
    assert Application.objects.get(pk=bid.pk).status == S.INELIGIBLE
    return receipt, moved


def test_email_bid_receipt_and_outcome_go_to_the_contact_and_members_not_staff(
    staff_client,
    staff_user,
    provider_org,
    open_round,
    django_capture_on_commit_callbacks,
    eager_celery,
):
    logged = _log(
        staff_client,
        open_round,
        provider_org,
        channel="email",
        contact_name="Jo Bloggs",
        contact_email=" jo.bloggs@example.net ",
        contact_address="",
    )
    bid = Application.objects.get()
    assert logged.status_code == 302
    assert (bid.channel, bid.contact_name, bid.contact_email, bid.contact_address) == (
        Channel.EMAIL,
        "Jo Bloggs",
        "jo.bloggs@example.net",
        "",
    )

    receipt, moved = _submit_and_find_ineligible(
        staff_client, bid, django_capture_on_commit_callbacks
    )

    # The organisation's portal members hear of it as they do of a portal bid; the
    # staff member who logged and submitted it does not.
    to = ["jo.bloggs@example.net", "provider@example.org"]
    assert [(m.subject, m.to) for m in mail.outbox] == [
        ("Application received: VPF-0001", to),
        ("Your application VPF-0001 is now: not eligible", to),
    ]
    assert "We have emailed a receipt to jo.bloggs@example.net, provider@example.org." in (
        _page(receipt)
    )
    assert "A letter is needed" not in _page(receipt)
    assert "A letter is needed" not in _page(moved)
    detail = _page(staff_client.get(f"/staff/applications/{bid.reference}/"))
    assert "Jo Bloggs" in detail
    assert "jo.bloggs@example.net" in detail


def test_paper_bid_with_a_postal_address_only_sends_no_email_and_asks_for_a_letter(
    staff_client, open_round, django_capture_on_commit_callbacks, eager_celery
):
    # An organisation with no one on the portal: the letter is all that tells it.
    offline = OrganisationFactory(name="Horden Tenants Forum")
    logged = _log(
        staff_client,
        open_round,
        offline,
        channel="paper",
        contact_name="Sam Hall",
        contact_email="",
        contact_address=ADDRESS,
    )
    bid = Application.objects.get()
    assert logged.status_code == 302
    assert (bid.contact_name, bid.contact_email, bid.contact_address) == (
        "Sam Hall",
        "",
        "12 Front Street\nDurham\nDH1 3NJ",
    )

    receipt, moved = _submit_and_find_ineligible(
        staff_client, bid, django_capture_on_commit_callbacks
    )

    assert mail.outbox == []
    letter = escape(f"A letter is needed: {ONE_LINE}")
    assert letter in _page(receipt)
    assert "emailed" not in _page(receipt)
    assert letter in _page(moved)  # the staff application page, after the move
    assert "Sam Hall" in _page(moved)


def test_paper_bid_from_an_organisation_on_the_portal_emails_its_members_and_asks_for_a_letter(
    staff_client, provider_org, open_round, django_capture_on_commit_callbacks, eager_celery
):
    _log(
        staff_client,
        open_round,
        provider_org,
        channel="paper",
        contact_name="Sam Hall",
        contact_address=ADDRESS,
    )
    bid = Application.objects.get()

    receipt, moved = _submit_and_find_ineligible(
        staff_client, bid, django_capture_on_commit_callbacks
    )

    assert [m.to for m in mail.outbox] == [["provider@example.org"], ["provider@example.org"]]
    assert escape(f"A letter is needed: {ONE_LINE}") in _page(receipt)
    assert "We have emailed a receipt to provider@example.org." in _page(receipt)
    assert escape(f"A letter is needed: {ONE_LINE}") in _page(moved)


@pytest.mark.parametrize(
    ("contact", "errors"),
    [
        (
            {"contact_name": "", "contact_email": "jo@example.net"},
            {"contact_name": ["Enter the name of the person who sent the bid"]},
        ),
        (
            {"contact_name": "Jo Bloggs", "contact_email": "", "contact_address": "  "},
            {
                "contact_email": [
                    "Enter an email address or a postal address for Jo Bloggs, "
                    "so that they can be told what happens to the bid"
                ]
            },
        ),
        (
            {"contact_name": "Jo Bloggs", "contact_email": "jo at example"},
            {
                "contact_email": [
                    "Enter an email address in the correct format, like name@example.com"
                ]
            },
        ),
    ],
)
def test_log_bid_without_a_usable_contact_refused_and_nothing_saved(
    staff_client, provider_org, open_round, contact, errors
):
    response = _log(staff_client, open_round, provider_org, channel="email", **contact)

    assert response.status_code == 200
    assert response.context["form"].errors == errors
    assert Application.objects.count() == 0
    assert FundingRound.objects.get(pk=open_round.pk).next_application_number == 1


def test_invited_paper_bid_full_application_keeps_the_contact(
    staff_client, provider_org, open_round
):
    eoi = ApplicationFactory(
        round=open_round,
        organisation=provider_org,
        stage=Stage.EOI,
        status=S.UNDER_ASSESSMENT,
        submitted_at=timezone.now(),
        channel=Channel.PAPER,
        contact_name="Sam Hall",
        contact_address="12 Front Street\nDurham\nDH1 3NJ",
    )

    response = staff_client.post(f"/staff/applications/{eoi.reference}/invite/", follow=True)

    full = Application.objects.get(parent=eoi)
    assert (full.channel, full.contact_name, full.contact_email, full.contact_address) == (
        Channel.PAPER,
        "Sam Hall",
        "",
        "12 Front Street\nDurham\nDH1 3NJ",
    )
    assert escape(f"A letter is needed: {ONE_LINE}") in _page(response)


def test_application_start_portal_application_with_a_contact_refused(
    provider_user, provider_org, open_round
):
    with pytest.raises(ValueError):
        services.application_start(
            funding_round=open_round,
            organisation=provider_org,
            by=provider_user,
            title="Street sport",
            contact_email="someone@example.net",
        )

    assert Application.objects.count() == 0
