"""grants.selectors for panels: a member's work, the ranking and the workload.

The panel report's content is tested through its page and downloads (test_views_moderation.py).
"""

from decimal import Decimal

import pytest

from grants import selectors, services
from grants.enums import ApplicationStatus, AssignmentMode, Recommendation

D = Decimal


@pytest.fixture
def assessed(
    panel, chair, member, third, application, second_application, make_application, score, moderate
):
    """Four applications in assessment, one withdrawn and one only submitted:

    - 0001: 72.00, 100.00, 40.00 (spread 60: flagged); funded at £6,000, moderated 72.00
    - 0002: 92.00, 100.00 and a draft; funded at £4,000, moderated 92.00
    - 0003: 20.00 only; not moderated
    - 0004: no scorecards; not funded, moderated 40.00
    """
    street = make_application("Street sport", amount=D("3000"))
    detached = make_application("Detached youth work", amount=D("3000"))
    withdrawn = make_application("Withdrawn bid", status=ApplicationStatus.WITHDRAWN)
    submitted = make_application("Not yet eligible", status=ApplicationStatus.SUBMITTED)
    score(chair, application, [4, 3])
    score(member, application, [5, 5])
    score(third, application, [2, 2])
    score(chair, second_application, [5, 4])
    score(member, second_application, [5, 5])
    score(third, second_application, [1, None], submit=False)
    score(chair, street, [1, 1])
    moderate(application, D("6000"), scores=(4, 3))
    moderate(second_application, D("4000"), scores=(5, 4))
    moderate(detached, None, recommendation=Recommendation.DO_NOT_FUND, scores=(2, 2))
    return {
        "application": application,
        "second": second_application,
        "street": street,
        "detached": detached,
        "withdrawn": withdrawn,
        "submitted": submitted,
    }


def summary(row):
    return (
        row.rank,
        row.application.reference,
        [str(t) for t in row.totals],
        str(row.mean) if row.mean is not None else None,
        str(row.spread) if row.spread is not None else None,
        row.flagged,
        row.moderation.recommendation if row.moderation else None,
        str(row.moderation.total) if row.moderation else None,
        row.cumulative,
    )


def test_round_ranking_by_moderated_score_with_running_total(assessed, funding_round, staff_user):
    rows = selectors.round_ranking(funding_round=funding_round, viewer=staff_user)
    assert [summary(row) for row in rows] == [
        (1, "YV1-0002", ["92.00", "100.00"], "96.00", "8.00", False, "fund", "92.00", D("4000")),
        (
            2,
            "YV1-0001",
            ["72.00", "100.00", "40.00"],
            "70.67",
            "60.00",
            True,
            "fund",
            "72.00",
            D("10000"),
        ),
        (3, "YV1-0004", [], None, None, False, "do_not_fund", "40.00", None),
        (4, "YV1-0003", ["20.00"], "20.00", "0.00", False, None, None, None),
    ]


def test_round_ranking_spread_at_threshold_not_flagged(
    make_panel, funding_round, chair_user, member_user, application, score, staff_user
):
    panel = make_panel(
        funding_round, chair_user, [chair_user, member_user], spread_threshold=D("28")
    )
    score(panel.members.get(user=chair_user), application, [4, 3])  # 72.00
    score(panel.members.get(user=member_user), application, [5, 5])  # 100.00
    [row] = selectors.round_ranking(funding_round=funding_round, viewer=staff_user)
    assert (str(row.spread), row.flagged) == ("28.00", False)


def test_round_ranking_unmoderated_ties_by_mean_then_age(
    panel, chair, application, second_application, score, staff_user
):
    score(chair, second_application, [4, 3])
    score(chair, application, [4, 3])
    rows = selectors.round_ranking(funding_round=application.round, viewer=staff_user)
    assert [(r.rank, r.application.reference) for r in rows] == [(1, "YV1-0001"), (2, "YV1-0002")]


def test_applications_for_member_with_their_declaration_and_scorecard(
    assessed, member, third, declare
):
    declare(third, assessed["street"], conflict=True)
    work = selectors.applications_for_member(member=third)
    assert [
        (
            a.reference,
            a.declaration.is_conflict if a.declaration else None,
            a.scorecard.status if a.scorecard else None,
        )
        for a in work
    ] == [
        ("YV1-0001", False, "submitted"),
        ("YV1-0002", False, "draft"),
        ("YV1-0003", True, None),
        ("YV1-0004", None, None),
    ]


def test_applications_for_member_assigned_only_when_panel_assigns(
    make_panel, funding_round, chair_user, member_user, application, second_application, staff_user
):
    panel = make_panel(
        funding_round,
        chair_user,
        [chair_user, member_user],
        assignment_mode=AssignmentMode.ASSIGNED,
    )
    member = panel.members.get(user=member_user)
    services.assignments_set(member=member, applications=[second_application], by=staff_user)
    assert [a.reference for a in selectors.applications_for_member(member=member)] == ["YV1-0002"]
    chair = panel.members.get(user=chair_user)
    assert selectors.applications_for_member(member=chair) == []


def test_panel_workload_counts_load_done_and_conflicts(assessed, panel, third, declare):
    declare(third, assessed["street"], conflict=True)
    assert [
        (row["member"].user.full_name, row["load"], row["done"], row["conflicts"], row["is_chair"])
        for row in selectors.panel_workload(panel=panel)
    ] == [
        ("Amira Haddad", 4, 1, 1, False),
        ("Daniel Okafor", 4, 3, 0, True),
        ("Ruth Ellison", 4, 2, 0, False),
    ]


def test_panel_workload_assigned_load_is_assignments(
    make_panel, funding_round, chair_user, member_user, application, second_application, staff_user
):
    panel = make_panel(
        funding_round,
        chair_user,
        [chair_user, member_user],
        assignment_mode=AssignmentMode.ASSIGNED,
    )
    services.assignments_set(
        member=panel.members.get(user=member_user),
        applications=[application, second_application],
        by=staff_user,
    )
    assert [
        (row["member"].user.full_name, row["load"]) for row in selectors.panel_workload(panel=panel)
    ] == [("Daniel Okafor", 0), ("Ruth Ellison", 2)]


def test_scorecards_for_application_excludes_the_asking_member(assessed, member):
    scorecards = selectors.scorecards_for_application(
        application=assessed["application"], exclude_member=member
    )
    assert [(s.member.user.full_name, str(s.total)) for s in scorecards] == [
        ("Amira Haddad", "40.00"),
        ("Daniel Okafor", "72.00"),
    ]
