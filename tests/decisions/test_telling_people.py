"""Telling people what happened (issue 19, item 9): an awarded application's page shows the
award, its conditions and the published decision record; a record the Chief Executive or the
PCC returns to draft is on its creator's home page with their comments, and in an email."""

import pytest
from django.core import mail
from django.urls import reverse

from decisions import services
from decisions.enums import DecisionStatus as D
from partners.enums import Role
from tests.decisions.conftest import DEFERRAL
from tests.factories import MembershipFactory, UserFactory

COMMENTS = "Add the costs of the venue.\nName the delivery partner."


@pytest.fixture
def awaiting_signature(recommended_round, staff_user, ceo_user):
    record = services.decision_create_from_round(funding_round=recommended_round, by=staff_user)
    record = services.decision_submit(record=record, by=staff_user)
    return services.decision_approve(
        record=record, by=ceo_user, advice_confirmed=True, name="Helen Carter"
    )


@pytest.fixture
def member_client(applicant_org, client_as):
    """A member of the charity whose applications the round decides."""
    user = UserFactory(email="member@example.org", roles=[Role.PROVIDER])
    MembershipFactory(user=user, organisation=applicant_org)
    return client_as(user)


# --- The award on the application's page -----------------------------------------------------


def test_awarded_application_page_shows_amount_conditions_and_published_record(
    awaiting_signature, sign, member_client
):
    record = sign(awaiting_signature)
    assert record.status == D.PUBLISHED

    html = member_client.get(reverse("grants:application-detail", args=["YV1-0002"])).content
    html = html.decode()

    assert 'Amount awarded</dt><dd class="govuk-summary-list__value">£3,000' in html
    assert "Safeguarding training first." in html
    assert f'href="/decisions/{record.reference}/"' in html


def test_awarded_application_without_conditions_says_none(awaiting_signature, sign, member_client):
    sign(awaiting_signature)

    html = member_client.get(reverse("grants:application-detail", args=["YV1-0001"])).content
    html = html.decode()

    assert "£4,800" in html
    assert 'Conditions</dt><dd class="govuk-summary-list__value">None</dd>' in html


def test_awarded_application_record_deferred_shows_the_award_without_a_link(
    recommended_round, staff_user, ceo_user, sign, member_client, future_day
):
    record = services.decision_create_from_round(funding_round=recommended_round, by=staff_user)
    record = services.decision_update(
        record=record, by=staff_user, fields={**DEFERRAL, "deferred_until": future_day}
    )
    record = services.decision_submit(record=record, by=staff_user)
    record = services.decision_approve(
        record=record, by=ceo_user, advice_confirmed=True, name="Helen Carter"
    )
    record = sign(record)
    assert record.status == D.SIGNED

    html = member_client.get(reverse("grants:application-detail", args=["YV1-0002"])).content
    html = html.decode()

    assert 'Amount awarded</dt><dd class="govuk-summary-list__value">£3,000' in html
    assert f"/decisions/{record.reference}/" not in html


def test_application_not_yet_decided_shows_no_award(awaiting_signature, member_client):
    html = member_client.get(reverse("grants:application-detail", args=["YV1-0002"])).content
    html = html.decode()

    assert "Amount awarded" not in html
    assert f"/decisions/{awaiting_signature.reference}/" not in html


# --- Returned to draft ---------------------------------------------------------------------


def _return(client, record, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(
            reverse("decisions:staff-return", args=[record.pk]), {"comments": COMMENTS}
        )


@pytest.mark.parametrize(
    ("status", "returner", "who"),
    [
        (D.AWAITING_APPROVAL, "ceo_user", "The Chief Executive (Helen Carter)"),
        (D.AWAITING_SIGNATURE, "pcc_user", "The Police and Crime Commissioner (Morgan Reid)"),
    ],
)
def test_returned_record_emails_its_creator_the_comments(
    status,
    returner,
    who,
    request,
    record_in,
    client_as,
    eager_celery,
    django_capture_on_commit_callbacks,
):
    record = record_in(status)

    response = _return(
        client_as(request.getfixturevalue(returner)), record, django_capture_on_commit_callbacks
    )

    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == D.DRAFT
    emails = [m for m in mail.outbox if "returned" in m.subject]
    assert [(m.subject, m.to) for m in emails] == [
        (f"Decision record {record.reference} returned to you", ["staff@example.org"])
    ]
    body = emails[0].body
    assert f"{who} returned decision record {record.reference}: {record.title} to draft" in body
    assert f"Their comments:\n{COMMENTS}\n" in body
    assert f"http://localhost:8000/staff/decisions/{record.pk}/" in body


def test_staff_home_lists_records_returned_to_them_with_the_comments(
    record_in, ceo_user, staff_user, client_as, django_capture_on_commit_callbacks
):
    returned = record_in(D.AWAITING_APPROVAL, title="Knife crime campaign")
    _return(client_as(ceo_user), returned, django_capture_on_commit_callbacks)
    record_in(D.DRAFT, title="Never submitted")
    record_in(D.AWAITING_APPROVAL, title="Still with the Chief Executive")
    other_staff = UserFactory(email="colleague@example.org", roles=[Role.OPCC_STAFF])

    html = client_as(staff_user).get("/").content.decode()
    colleague_html = client_as(other_staff).get("/").content.decode()

    assert "Returned to you" in html
    assert f"{returned.reference}: Knife crime campaign" in html
    assert "Returned by the Chief Executive on" in html
    assert "<p>Add the costs of the venue.<br>Name the delivery partner.</p>" in html
    assert "Never submitted" not in html
    assert "Still with the Chief Executive" not in html
    assert "Returned to you" not in colleague_html


def test_staff_home_resubmitted_record_is_no_longer_returned(
    record_in, ceo_user, staff_user, client_as, django_capture_on_commit_callbacks
):
    record = record_in(D.AWAITING_APPROVAL)
    _return(client_as(ceo_user), record, django_capture_on_commit_callbacks)
    services.decision_submit(record=record, by=staff_user)

    html = client_as(staff_user).get("/").content.decode()

    assert "Returned to you" not in html


def test_staff_home_returned_records_query_count(
    record_in, ceo_user, staff_user, client_as, django_assert_max_num_queries
):
    for number in range(3):
        record = record_in(D.AWAITING_APPROVAL, title=f"Record {number}")
        services.decision_return(record=record, by=ceo_user, comments=COMMENTS)
    client = client_as(staff_user)

    with django_assert_max_num_queries(12):
        html = client.get("/").content.decode()

    assert html.count("Returned by the Chief Executive") == 3
