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


def _decide(staff_client, organisation, django_capture_on_commit_callbacks, **data):
    with django_capture_on_commit_callbacks(execute=True):
        return staff_client.post(
            reverse("partners:organisation-verify", args=[organisation.pk]), data
        )


def test_verified_organisation_members_are_emailed(
    staff_client, pending_organisation, members, django_capture_on_commit_callbacks, eager_celery
):
    response = _decide(
        staff_client,
        pending_organisation,
        django_capture_on_commit_callbacks,
        to_status=VerificationStatus.VERIFIED.value,
        reason="",
    )

    assert response.status_code == 302
    assert [(m.subject, m.to) for m in mail.outbox] == [
        ("Hidden Harbour Trust is verified", ["ann@example.org", "bob@example.org"])
    ]
    body = mail.outbox[0].body
    assert "OPCC staff have verified Hidden Harbour Trust." in body
    assert f"See your organisations:\n{LINK}\n" in body
    assert "reason" not in body


def test_refused_organisation_members_are_emailed_the_reason(
    staff_client, pending_organisation, members, django_capture_on_commit_callbacks, eager_celery
):
    response = _decide(
        staff_client,
        pending_organisation,
        django_capture_on_commit_callbacks,
        to_status=VerificationStatus.REJECTED.value,
        reason=REASON,
    )

    assert response.status_code == 302
    assert [(m.subject, m.to) for m in mail.outbox] == [
        ("Hidden Harbour Trust is not verified", ["ann@example.org", "bob@example.org"])
    ]
    body = mail.outbox[0].body
    assert f"The reason:\n{REASON}\n" in body
    assert LINK in body


def test_refusal_without_a_reason_sends_nothing(
    staff_client, pending_organisation, members, django_capture_on_commit_callbacks, eager_celery
):
    response = _decide(
        staff_client,
        pending_organisation,
        django_capture_on_commit_callbacks,
        to_status=VerificationStatus.REJECTED.value,
        reason=" ",
    )

    assert response.status_code == 400
    assert mail.outbox == []
