"""The chair and staff see, per member, what is not yet declared or scored; never what
the viewing chair is conflicted on."""

import pytest

pytestmark = pytest.mark.django_db


def test_ranking_lists_outstanding_work_per_member(
    funding_round, chair, member, third, chair_user, make_application, declare, score, client_as
):
    first = make_application("First")
    second = make_application("Second")
    score(chair, first, [4, 3])
    score(chair, second, [4, 3])
    score(member, first, [4, 3])
    declare(member, second)
    declare(third, first, conflict=True)
    page = client_as(chair_user).get(f"/panel/{funding_round.slug}/ranking/").content.decode()
    assert "<li><strong>Amira Haddad</strong><br>Not declared: 1 (YV1-0002)</li>" in page
    assert "<li><strong>Ruth Ellison</strong><br>Scorecard not submitted: 1 (YV1-0002)</li>" in page
    assert "<strong>Daniel Okafor</strong>" not in page


def test_outstanding_leaves_out_what_the_chair_is_conflicted_on(
    funding_round,
    chair,
    member,
    third,
    chair_user,
    staff_user,
    make_application,
    declare,
    client_as,
):
    first = make_application("First")
    make_application("Second")
    declare(chair, first, conflict=True)
    chair_page = client_as(chair_user).get(f"/panel/{funding_round.slug}/ranking/").content.decode()
    assert "<li><strong>Ruth Ellison</strong><br>Not declared: 1 (YV1-0002)</li>" in chair_page
    assert "<li><strong>Amira Haddad</strong><br>Not declared: 1 (YV1-0002)</li>" in chair_page
    assert "<li><strong>Daniel Okafor</strong><br>Not declared: 1 (YV1-0002)</li>" in chair_page
    staff_page = client_as(staff_user).get(f"/panel/{funding_round.slug}/ranking/").content.decode()
    assert (
        "<li><strong>Ruth Ellison</strong><br>Not declared: 2 (YV1-0001, YV1-0002)</li>"
        in staff_page
    )


def test_outstanding_nothing_left(
    funding_round, chair, member, third, chair_user, application, score, client_as
):
    for who in (chair, member, third):
        score(who, application, [4, 3])
    page = client_as(chair_user).get(f"/panel/{funding_round.slug}/ranking/").content.decode()
    assert (
        "Every member has declared and submitted a scorecard on every application they may score."
        in page
    )
