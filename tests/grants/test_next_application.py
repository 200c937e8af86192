"""After submitting a scorecard the member is offered the next application to score."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def score_url(funding_round, application):
    return reverse("grants:panel-score", args=[funding_round.slug, application.reference])


def test_next_application_skips_conflicts_and_submitted(
    funding_round, member, member_user, make_application, declare, score, client_as
):
    first = make_application("First")
    second = make_application("Second")
    third = make_application("Third")
    fourth = make_application("Fourth")
    declare(member, second, conflict=True)
    score(member, third, [4, 3])
    client = client_as(member_user)
    declare(member, first)
    response = client.post(
        score_url(funding_round, first),
        {f"score_{c.pk}": "4" for c in funding_round.criteria.all()}
        | {f"comment_{c.pk}": "" for c in funding_round.criteria.all()},
        follow=True,
    )
    page = response.content.decode()
    assert "Scorecard submitted." in page
    assert (
        f'<a class="govuk-link" href="{score_url(funding_round, fourth)}">'
        "Score the next application</a> (YV1-0004)"
    ) in page
    assert "YV1-0002" not in page


def test_next_application_none_left(
    funding_round, member, member_user, application, score, client_as
):
    score(member, application, [4, 3])
    page = client_as(member_user).get(score_url(funding_round, application)).content.decode()
    assert "You have scored every application." in page
    assert "Score the next application" not in page
