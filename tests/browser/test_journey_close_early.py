"""Issue 19, item 4: staff close an open round early, confirming it with a reason; the holder
of a draft is emailed, and every page that showed the closing time says it closed early."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from grants.enums import RoundStatus
from grants.models import FundingRound
from partners.enums import Role
from tests.factories import (
    ApplicationFactory,
    FundingRoundFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)

from .journeys import sign_in

REASON = "The fund is fully committed after the spending review."


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_staff_close_a_round_early_and_the_draft_holder_sees_it(
    roles, live_server, page, check, eager_celery
):
    UserFactory(email="staff@example.org", full_name="Olive Staff", roles=[Role.OPCC_STAFF])
    provider = UserFactory(email="provider@example.org", roles=[Role.PROVIDER])
    group = OrganisationFactory(name="Seaham Street Sport")
    MembershipFactory(user=provider, organisation=group)
    funding_round = FundingRoundFactory(
        slug="youth-violence-2025",
        title="Youth violence 2025",
        closes_at=timezone.now() + datetime.timedelta(days=30),
    )
    draft = ApplicationFactory(
        round=funding_round, organisation=group, reference="YV25-0001", title="Friday football"
    )
    base = live_server.url
    closes = timezone.localtime(funding_round.closes_at).strftime("%-d %B %Y")

    sign_in(page, base, "staff@example.org")
    page.goto(f"{base}/staff/rounds/{funding_round.slug}/")
    page.get_by_role("button", name="Close the round").click()
    expect(page.locator("h1")).to_have_text("Are you sure you want to close this round early?")
    expect(page.locator("main")).to_contain_text("1 draft application can no longer be submitted")
    check(page, "close early confirmation")

    # Without a reason: the error, and the round stays open.
    page.get_by_role("button", name="Close the round").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter why the round is closing early"
    )
    check(page, "close early without a reason")
    assert FundingRound.objects.get(pk=funding_round.pk).status == RoundStatus.OPEN

    page.get_by_label("Why is the round closing early?").fill(REASON)
    page.get_by_role("button", name="Close the round").click()
    expect(page.locator("main")).to_contain_text("Closed early by the OPCC on")
    expect(page.locator("main")).to_contain_text(REASON)
    check(page, "round closed early staff page")
    assert FundingRound.objects.get(pk=funding_round.pk).status == RoundStatus.CLOSED
    assert [(m.subject, m.to) for m in mail.outbox] == [
        ("Funding round closed early: Youth violence 2025", ["provider@example.org"])
    ]
    assert f"{base}/applications/YV25-0001/" in mail.outbox[0].body

    page.goto(f"{base}/staff/rounds/")
    expect(page.locator("main")).to_contain_text("Closed early by the OPCC on")
    check(page, "rounds list with a round closed early")

    # The draft's holder, following the email's link and the public pages.
    sign_in(page, base, "provider@example.org")
    for url, name in [
        (f"{base}/applications/{draft.reference}/", "draft closed early"),
        (f"{base}/applications/{draft.reference}/submit/", "check answers closed early"),
        (f"{base}/funding/", "funding rounds with one closed early"),
        (f"{base}/funding/{funding_round.slug}/", "round page closed early"),
    ]:
        page.goto(url)
        expect(page.locator("main")).to_contain_text("Closed early by the OPCC on")
        expect(page.locator("main")).not_to_contain_text(closes)
        check(page, name)
