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


def moderate_url(funding_round, application):
    return reverse("grants:panel-moderate", args=[funding_round.slug, application.reference])


def test_moderation_warns_and_needs_confirmation_while_scorecards_outstanding(
    funding_round,
    criteria,
    chair,
    member,
    third,
    chair_user,
    application,
    declare,
    score,
    client_as,
):
    score(member, application, [4, 3])
    declare(chair, application)
    client = client_as(chair_user)
    page = client.get(moderate_url(funding_round, application)).content.decode()
    assert (
        '<span class="govuk-visually-hidden">Warning</span> 2 scorecards are outstanding: '
        "Amira Haddad, Daniel Okafor.</strong>"
    ) in page
    assert "Record the outcome although 2 scorecards are outstanding" in page

    refused = client.post(moderate_url(funding_round, application), moderation_data(criteria))
    assert refused.status_code == 200
    assert (
        "Confirm that you want to record the outcome although scorecards are outstanding"
        in refused.content.decode()
    )
    assert not Moderation.objects.filter(application=application).exists()

    recorded = client.post(
        moderate_url(funding_round, application),
        moderation_data(criteria, confirm_outstanding="on"),
    )
    assert recorded.status_code == 302
    assert Moderation.objects.get(application=application).recommended_amount == Decimal("5000")


def test_moderation_no_warning_when_conflicted_members_left_out(
    funding_round,
    criteria,
    chair,
    member,
    third,
    chair_user,
    application,
    declare,
    score,
    client_as,
):
    score(member, application, [4, 3])
    score(chair, application, [4, 3])
    declare(third, application, conflict=True)
    client = client_as(chair_user)
    page = client.get(moderate_url(funding_round, application)).content.decode()
    assert "outstanding" not in page
    recorded = client.post(moderate_url(funding_round, application), moderation_data(criteria))
    assert recorded.status_code == 302
