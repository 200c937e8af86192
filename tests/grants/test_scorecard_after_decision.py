"""A member's own submitted scorecard stays readable, not editable, after the decision."""

import pytest
from django.urls import reverse

from grants.enums import ApplicationStatus
from grants.models import Application

pytestmark = pytest.mark.django_db


def score_url(funding_round, application):
    return reverse("grants:panel-score", args=[funding_round.slug, application.reference])


@pytest.mark.parametrize("status", [ApplicationStatus.AWARDED, ApplicationStatus.DECLINED])
def test_own_scorecard_readable_after_decision(
    status, funding_round, member, member_user, application, score, client_as
):
    score(member, application, [4, 3], comments=["Clear local data", ""])
    Application.objects.filter(pk=application.pk).update(status=status)
    client = client_as(member_user)
    response = client.get(score_url(funding_round, application))
    assert response.status_code == 200
    page = response.content.decode()
    assert (
        "Weighted total: <strong>72.00%</strong>. The application has been decided "
        f"({status.label.lower()}), so the scorecard can no longer be changed.</p>"
    ) in page
    assert '<span class="govuk-hint">Clear local data</span>' in page
    assert "Submit scorecard" not in page
    posted = client.post(score_url(funding_round, application), {"submit": "1"})
    assert posted.status_code == 404


def test_decided_application_without_own_scorecard_is_not_found(
    funding_round, member, third, third_user, application, score, declare, client_as
):
    score(member, application, [4, 3])
    score(third, application, [2, 2], submit=False)
    Application.objects.filter(pk=application.pk).update(status=ApplicationStatus.AWARDED)
    response = client_as(third_user).get(score_url(funding_round, application))
    assert response.status_code == 404
