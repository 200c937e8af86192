"""Moderation warns while scorecards are outstanding and asks for a confirmation."""

from decimal import Decimal

import pytest
from django.urls import reverse

from grants.models import Moderation

pytestmark = pytest.mark.django_db


def moderation_data(criteria, **extra):
    data = {f"score_{c.pk}": "4" for c in criteria}
    data.update(
        rationale="Strong referral routes.",
        recommendation="fund",
        conditions="",
        recommended_amount="5000",
        **extra,
    )
    return data


@pytest.fixture
def chair_on_moderation(funding_round, application, chair_user, client_as):
    """The chair's client, and the address of the application's moderation page."""
    url = reverse("grants:panel-moderate", args=[funding_round.slug, application.reference])
    return client_as(chair_user), url


def test_moderation_warns_and_needs_confirmation_while_scorecards_outstanding(
    criteria, chair, member, third, application, declare, score, chair_on_moderation
):
    score(member, application, [4, 3])
    declare(chair, application)
    client, url = chair_on_moderation
    page = client.get(url).content.decode()
    assert (
        '<span class="govuk-visually-hidden">Warning</span> 2 scorecards are outstanding: '
        "Amira Haddad, Daniel Okafor.</strong>"
    ) in page
    assert "Record the outcome although 2 scorecards are outstanding" in page

    refused = client.post(url, moderation_data(criteria))
    assert refused.status_code == 200
    assert (
        "Confirm that you want to record the outcome although scorecards are outstanding"
        in refused.content.decode()
    )
    assert not Moderation.objects.filter(application=application).exists()

    recorded = client.post(
        url,
        moderation_data(criteria, confirm_outstanding="on"),
    )
    assert recorded.status_code == 302
    assert Moderation.objects.get(application=application).recommended_amount == Decimal("5000")


def test_moderation_no_warning_when_conflicted_members_left_out(
    criteria, chair, member, third, application, declare, score, chair_on_moderation
):
    score(member, application, [4, 3])
    score(chair, application, [4, 3])
    declare(third, application, conflict=True)
    client, url = chair_on_moderation
    page = client.get(url).content.decode()
    assert "outstanding" not in page
    recorded = client.post(url, moderation_data(criteria))
    assert recorded.status_code == 302
