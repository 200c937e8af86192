"""Closing an open round before its closing time: staff confirm it with a reason, the holders
of drafts are told, and every page that shows the closing says that it closed early."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from grants import services
from grants.enums import ApplicationStatus, Channel, RoundStatus
from grants.models import FundingRound, RoundStatusChange
from partners.enums import MembershipStatus, Role
from svd_portal.formatting import date_time
from tests.factories import (
    ApplicationFactory,
    FundingRoundFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)
from tests.grants.helpers import page_text
from tests.on_commit import queued_work

REASON = "The fund is fully committed after the spending review."


def _close_url(funding_round) -> str:
    return reverse("grants:staff-round-close", args=[funding_round.slug])


def _closed_early_on(funding_round) -> str:
    change = RoundStatusChange.objects.get(round=funding_round, to_status=RoundStatus.CLOSED)
    closed_on = date_format(timezone.localtime(change.changed_at), "j F Y")
    return f"Closed early by the OPCC on {closed_on}"


def _closes(funding_round) -> str:
    """How the pages write the closing time while the round keeps it."""
    return date_time(timezone.localtime(funding_round.closes_at), "j F Y, g:ia")


# --- The confirmation page ----------------------------------------------------------------


def test_close_early_button_leads_to_the_confirmation_page(second_staff_client, open_round):
    round_page = second_staff_client.get(
        reverse("grants:staff-round-applications", args=[open_round.slug])
    )
    confirm = second_staff_client.get(_close_url(open_round))

    assert f'href="{_close_url(open_round)}"' in page_text(round_page)
    assert 'value="closed"' not in page_text(round_page)  # no longer a one-click button
    assert confirm.status_code == 200
    assert "Are you sure you want to close this round early?" in page_text(confirm)
    assert 'name="reason"' in page_text(confirm)
    assert FundingRound.objects.get(pk=open_round.pk).status == RoundStatus.OPEN


def test_close_early_without_a_reason_shows_the_error_and_the_round_stays_open(
    second_staff_client, open_round
):
    response = second_staff_client.post(_close_url(open_round), {"reason": "  "})

    assert response.status_code == 200
    assert response.context["form"].errors == {"reason": ["Enter why the round is closing early"]}
    assert "govuk-error-summary" in page_text(response)
    assert FundingRound.objects.get(pk=open_round.pk).status == RoundStatus.OPEN
    assert RoundStatusChange.objects.count() == 0


@pytest.mark.parametrize("who", ["provider_user", "other_user"])
def test_close_early_by_someone_not_staff_refused(who, request, client, open_round, draft):
    client.force_login(request.getfixturevalue(who))

    page = client.get(_close_url(open_round))
    response = client.post(_close_url(open_round), {"reason": REASON})

    assert (page.status_code, response.status_code) == (403, 403)
    assert FundingRound.objects.get(pk=open_round.pk).status == RoundStatus.OPEN
    assert RoundStatusChange.objects.count() == 0


def test_close_early_a_round_not_open_is_refused(second_staff_client, open_round):
    FundingRound.objects.filter(pk=open_round.pk).update(status=RoundStatus.ASSESSMENT)

    response = second_staff_client.post(_close_url(open_round), {"reason": REASON})

    assert response.status_code == 302
    assert FundingRound.objects.get(pk=open_round.pk).status == RoundStatus.ASSESSMENT
    assert RoundStatusChange.objects.count() == 0


def test_round_move_closing_early_without_a_reason_refused(staff_user, open_round):
    """The service asks for the reason too, whichever page (or script) calls it."""
    with pytest.raises(ValidationError) as exc:
        services.round_move(funding_round=open_round, to_status=RoundStatus.CLOSED, by=staff_user)

    assert exc.value.message_dict == {"reason": ["Enter why the round is closing early"]}
    assert FundingRound.objects.get(pk=open_round.pk).status == RoundStatus.OPEN


# --- Closing, and who is told -------------------------------------------------------------


@pytest.fixture
def holders(open_round, draft, provider_user, provider_org, other_user):
    """Who holds a draft in the round, and people who hold nothing in it (or must hear nothing)."""
    colleague = UserFactory(email="colleague@example.org", roles=[Role.PROVIDER])
    MembershipFactory(user=colleague, organisation=provider_org)
    # Asked to join and never let in: not a holder.
    MembershipFactory(
        user=UserFactory(email="requested@example.org"),
        organisation=provider_org,
        status=MembershipStatus.REQUESTED,
    )
    other_draft = ApplicationFactory(
        round=open_round,
        organisation=other_user.memberships.get().organisation,
        reference="VPF-0002",
    )
    # A bid staff logged from paper: its organisation's members did not start it online.
    paper_org = OrganisationFactory(name="Easington Youth Club")
    MembershipFactory(user=UserFactory(email="paper@example.org"), organisation=paper_org)
    ApplicationFactory(
        round=open_round, organisation=paper_org, channel=Channel.PAPER, reference="VPF-0003"
    )
    # Already submitted: nothing to tell them about their draft.
    submitted_org = OrganisationFactory(name="Peterlee Boxing")
    MembershipFactory(user=UserFactory(email="submitted@example.org"), organisation=submitted_org)
    ApplicationFactory(
        round=open_round,
        organisation=submitted_org,
        status=ApplicationStatus.SUBMITTED,
        submitted_at=timezone.now(),
        reference="VPF-0004",
    )
    # A draft in another round.
    ApplicationFactory(organisation=submitted_org, reference="OTHER-0001")
    return {
        "colleague@example.org": draft,
        "provider@example.org": draft,
        "other@example.org": other_draft,
    }


def test_close_early_with_a_reason_closes_records_and_emails_each_draft_holder_once(
    second_staff_client,
    staff_user,
    open_round,
    holders,
    django_capture_on_commit_callbacks,
    eager_celery,
):
    with django_capture_on_commit_callbacks(execute=True):
        response = second_staff_client.post(_close_url(open_round), {"reason": f" {REASON} "})

    assert response.status_code == 302
    assert response.url == reverse("grants:staff-round-applications", args=[open_round.slug])
    assert FundingRound.objects.get(pk=open_round.pk).status == RoundStatus.CLOSED
    change = RoundStatusChange.objects.get(round=open_round)
    assert (change.from_status, change.to_status, change.changed_by, change.reason) == (
        RoundStatus.OPEN,
        RoundStatus.CLOSED,
        staff_user,
        REASON,
    )
    assert sorted(address for message in mail.outbox for address in message.to) == sorted(holders)
    for message in mail.outbox:
        (address,) = message.to
        application = holders[address]
        assert message.subject == f"Funding round closed early: {open_round.title}"
        assert _closed_early_on(open_round) in message.body
        assert REASON in message.body
        assert f"http://testserver/applications/{application.reference}/" in message.body
        assert application.title in message.body


def test_close_early_sends_nothing_before_the_commit(
    staff_user, open_round, holders, django_capture_on_commit_callbacks, eager_celery
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.round_move(
            funding_round=open_round,
            to_status=RoundStatus.CLOSED,
            by=staff_user,
            reason=REASON,
            base_url="https://portal.example/",
        )

    assert mail.outbox == []
    assert len(queued_work(callbacks)) == 1
    queued_work(callbacks)[0]()
    bodies = {message.to[0]: message.body for message in mail.outbox}
    assert sorted(bodies) == sorted(holders)
    assert "https://portal.example/applications/VPF-0001/" in bodies["provider@example.org"]


def test_round_closed_on_its_date_emails_no_one(
    open_round, holders, django_capture_on_commit_callbacks, eager_celery
):
    FundingRound.objects.filter(pk=open_round.pk).update(
        closes_at=timezone.now() - datetime.timedelta(minutes=1)
    )

    with django_capture_on_commit_callbacks(execute=True):
        services.rounds_follow_dates()

    assert FundingRound.objects.get(pk=open_round.pk).status == RoundStatus.CLOSED
    assert FundingRound.objects.get(pk=open_round.pk).early_close is None
    assert mail.outbox == []


# --- What the pages say afterwards --------------------------------------------------------


@pytest.fixture
def closed_early(staff_user, open_round, draft):
    services.round_move(
        funding_round=open_round, to_status=RoundStatus.CLOSED, by=staff_user, reason=REASON
    )
    return FundingRound.objects.get(pk=open_round.pk)


@pytest.mark.parametrize(
    "name", ["rounds", "round-detail", "application-detail", "application-submit"]
)
def test_pages_after_closing_early_say_closed_early(name, provider_client, closed_early, draft):
    url = {
        "rounds": reverse("grants:rounds"),
        "round-detail": reverse("grants:round-detail", args=[closed_early.slug]),
        "application-detail": reverse("grants:application-detail", args=[draft.reference]),
        "application-submit": reverse("grants:application-submit", args=[draft.reference]),
    }[name]

    response = provider_client.get(url)

    text = page_text(response)
    assert response.status_code == 200
    assert _closed_early_on(closed_early) in text
    assert ">Closes<" not in text
    assert _closes(closed_early) not in text
    assert "the closing time has passed" not in text


def test_draft_pages_before_closing_say_when_to_submit(provider_client, open_round, draft):
    """The same pages while the round is open: the closing time, and nothing about closing early."""
    detail = provider_client.get(reverse("grants:application-detail", args=[draft.reference]))
    rounds = provider_client.get(reverse("grants:rounds"))

    assert f"before {_closes(open_round)}" in page_text(detail)
    assert ">Closes<" in page_text(rounds)
    assert "Closed early" not in page_text(detail) + page_text(rounds)


def test_draft_page_after_closing_early_gives_the_reason(provider_client, closed_early, draft):
    response = provider_client.get(reverse("grants:application-detail", args=[draft.reference]))

    assert REASON in page_text(response)


@pytest.mark.parametrize("name", ["staff-rounds", "staff-round-applications"])
def test_staff_pages_after_closing_early_say_closed_early(name, second_staff_client, closed_early):
    args = [] if name == "staff-rounds" else [closed_early.slug]

    response = second_staff_client.get(reverse(f"grants:{name}", args=args))

    assert _closed_early_on(closed_early) in page_text(response)
    assert timezone.localtime(closed_early.closes_at).strftime("%-d %b %Y %H:%M") not in page_text(
        response
    )


def test_staff_round_page_after_closing_early_gives_who_and_why(second_staff_client, closed_early):
    response = second_staff_client.get(
        reverse("grants:staff-round-applications", args=[closed_early.slug])
    )

    assert REASON in page_text(response)
    assert "Olive Staff" in page_text(response)


def test_check_answers_after_closing_early_names_the_early_close_as_the_problem(
    provider_client, closed_early, draft
):
    response = provider_client.get(reverse("grants:application-submit", args=[draft.reference]))

    assert (
        f"{_closed_early_on(closed_early)}: the round no longer takes applications",
        None,
    ) in response.context["problems"]


def test_reopened_round_is_no_longer_closed_early(staff_user, closed_early):
    services.round_move(funding_round=closed_early, to_status=RoundStatus.OPEN, by=staff_user)

    assert FundingRound.objects.get(pk=closed_early.pk).early_close is None


def test_round_in_assessment_after_closing_early_still_closed_early(staff_user, closed_early):
    services.round_move(funding_round=closed_early, to_status=RoundStatus.ASSESSMENT, by=staff_user)

    early_close = FundingRound.objects.get(pk=closed_early.pk).early_close
    assert (early_close.reason, early_close.changed_by) == (REASON, staff_user)


# --- Query counts: the lists read every round's early close at once ----------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


def _closed_early_round(staff_user):
    funding_round = FundingRoundFactory()
    services.round_move(
        funding_round=funding_round, to_status=RoundStatus.CLOSED, by=staff_user, reason=REASON
    )
    return funding_round


@pytest.mark.parametrize("name", ["rounds", "staff-rounds"])
def test_round_lists_queries_do_not_grow_with_rounds_closed_early(
    name, second_staff_client, staff_user
):
    url = reverse(f"grants:{name}")
    _closed_early_round(staff_user)
    FundingRoundFactory()
    one = _queries(second_staff_client, url)

    for _ in range(10):
        _closed_early_round(staff_user)
        FundingRoundFactory()
    response = second_staff_client.get(url)
    many = _queries(second_staff_client, url)

    assert page_text(response).count("Closed early by the OPCC on") == 11
    assert many == one
