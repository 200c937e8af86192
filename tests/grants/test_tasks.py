import datetime
import time
from decimal import Decimal

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core import mail
from django.utils import timezone

from grants import services, tasks
from grants.enums import ApplicationStatus, Channel, RoundStatus
from grants.models import FundingRound
from svd_portal import celery_app
from tests.factories import (
    ApplicationFactory,
    FundingRoundFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    complete_application,
)


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_send_application_email_receipt_sent_by_a_real_worker(task_queue):
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    user = UserFactory(email="amira@example.org")
    organisation = OrganisationFactory(name="Seaham Street Sport")
    MembershipFactory(user=user, organisation=organisation)
    application = complete_application(
        ApplicationFactory(
            round=FundingRoundFactory(),
            organisation=organisation,
            reference="SSS-0007",
            created_by=user,
        ),
        amount=Decimal("4500.00"),
    )

    with start_worker(celery_app, pool="solo", perform_ping_check=False, queues=[task_queue]):
        services.application_submit(application=application, by=user)
        deadline = time.monotonic() + 10
        while not mail.outbox and time.monotonic() < deadline:
            time.sleep(0.05)

    assert [(m.subject, m.to) for m in mail.outbox] == [
        ("Application received: SSS-0007", ["amira@example.org"])
    ]
    body = mail.outbox[0].body
    assert "Reference: SSS-0007" in body
    assert "Amount requested: £4,500" in body
    assert "Organisation: Seaham Street Sport" in body


def test_send_application_email_deleted_application_returns_0(db):
    application = ApplicationFactory()
    application_id = application.pk
    application.delete()

    sent = tasks.send_application_email(
        application_id=application_id, from_status="draft", to_status="submitted"
    )

    assert sent == 0
    assert mail.outbox == []


def _organisation_with_members():
    organisation = OrganisationFactory()
    MembershipFactory(organisation=organisation, user=UserFactory(email="b@example.org"))
    MembershipFactory(organisation=organisation, user=UserFactory(email="a@example.org"))
    MembershipFactory(
        organisation=organisation,
        user=UserFactory(email="asked@example.org"),
        status="requested",
    )
    return organisation


def test_send_application_email_status_change_to_active_members_and_submitter(db):
    application = ApplicationFactory(
        organisation=_organisation_with_members(),
        reference="VPF-0042",
        status=ApplicationStatus.UNDER_ASSESSMENT,
        submitted_at=timezone.now(),
        submitted_by=UserFactory(email="left@example.org"),  # no longer a member
    )

    sent = tasks.send_application_email(
        application_id=application.pk,
        from_status=ApplicationStatus.SUBMITTED,
        to_status=ApplicationStatus.UNDER_ASSESSMENT,
    )

    assert sent == 3
    assert [m.to for m in mail.outbox] == [["a@example.org", "b@example.org", "left@example.org"]]


def test_send_application_email_logged_bid_to_its_contact_and_members_not_staff(db, staff_user):
    application = ApplicationFactory(
        organisation=_organisation_with_members(),
        reference="VPF-0042",
        title="Detached youth work",
        channel=Channel.EMAIL,
        contact_name="Jo Bloggs",
        contact_email="jo@example.net",
        status=ApplicationStatus.UNDER_ASSESSMENT,
        submitted_at=timezone.now(),
        submitted_by=staff_user,
    )

    sent = tasks.send_application_email(
        application_id=application.pk,
        from_status=ApplicationStatus.SUBMITTED,
        to_status=ApplicationStatus.UNDER_ASSESSMENT,
    )

    assert sent == 3
    assert [(m.subject, m.to) for m in mail.outbox] == [
        (
            "Your application VPF-0042 is now: under assessment",
            ["a@example.org", "b@example.org", "jo@example.net"],
        )
    ]
    body = mail.outbox[0].body
    assert "Was: Submitted\nNow: Under assessment" in body
    # The contact may not use the portal: the email does not send them there.
    assert "Your applications" not in body
    assert "give the reference" in body


def test_rounds_follow_dates_task_closes_past_rounds(db):
    FundingRoundFactory(
        slug="past",
        opens_at=timezone.now() - datetime.timedelta(days=10),
        closes_at=timezone.now() - datetime.timedelta(seconds=1),
    )

    assert tasks.rounds_follow_dates() == ["past"]
    assert tasks.rounds_follow_dates() == []
    assert FundingRound.objects.get(slug="past").status == RoundStatus.CLOSED
