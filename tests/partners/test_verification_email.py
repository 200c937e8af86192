"""OPCC staff's verification decision reaches the organisation's members by email, with the
reason when the organisation is not verified and a link to their organisations page."""

import pytest
from django.core import mail
from django.urls import reverse

from partners.enums import MembershipStatus, VerificationStatus
from tests.factories import MembershipFactory, UserFactory

REASON = "The charity number belongs to another charity."
LINK = "http://localhost:8000/organisations/"


@pytest.fixture
def members(pending_organisation):
    """Two active members of the pending charity, and one whose request is still open."""
    for email, status in [
        ("ann@example.org", MembershipStatus.ACTIVE),
        ("bob@example.org", MembershipStatus.ACTIVE),
        ("asking@example.org", MembershipStatus.REQUESTED),
    ]:
        MembershipFactory(
            user=UserFactory(email=email), organisation=pending_organisation, status=status
        )


@pytest.fixture
def decide(staff_client, pending_organisation, members, django_capture_on_commit_callbacks):
    """decide(to_status, reason): staff's decision on the pending charity posted, and the mail
    it queues after the commit sent."""

    def post(to_status, reason):
        url = reverse("partners:organisation-verify", args=[pending_organisation.pk])
        with django_capture_on_commit_callbacks(execute=True):
            return staff_client.post(url, {"to_status": to_status.value, "reason": reason})

    return post


def test_verified_organisation_members_are_emailed(decide, eager_celery):
    response = decide(VerificationStatus.VERIFIED, "")

    assert response.status_code == 302
    assert [(m.subject, m.to) for m in mail.outbox] == [
        ("Hidden Harbour Trust is verified", ["ann@example.org", "bob@example.org"])
    ]
    body = mail.outbox[0].body
    assert "OPCC staff have verified Hidden Harbour Trust." in body
    assert f"See your organisations:\n{LINK}\n" in body
    assert "reason" not in body


def test_refused_organisation_members_are_emailed_the_reason(decide, eager_celery):
    response = decide(VerificationStatus.REJECTED, REASON)

    assert response.status_code == 302
    assert [(m.subject, m.to) for m in mail.outbox] == [
        ("Hidden Harbour Trust is not verified", ["ann@example.org", "bob@example.org"])
    ]
    body = mail.outbox[0].body
    assert f"The reason:\n{REASON}\n" in body
    assert LINK in body


def test_refusal_without_a_reason_sends_nothing(decide, eager_celery):
    response = decide(VerificationStatus.REJECTED, " ")

    assert response.status_code == 400
    assert mail.outbox == []
