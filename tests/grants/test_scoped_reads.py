"""The ranking and the panel's report are scoped by construction: the selectors take the viewer
and leave out what the viewer is conflicted on, so no page or download has to remember to.
Called here directly, with no view in between."""

from decimal import Decimal

import pytest

from grants import selectors
from tests.factories import MembershipFactory

# Ruth is the panel's deputy chair.
DEPUTY_CHAIR = "member_user"
SECRET = "Scored down for weak safeguarding references"


@pytest.fixture
def conflicted_round(
    funding_round, chair, member, third, make_application, declare, score, moderate, staff_user
):
    """Daniel chairs, Ruth is deputy chair, Amira a member. Daniel declared a conflict on
    YV1-0001 (£7,250 asked, moderated by staff at £5,250, 72%), which sits between the two he
    may see: YV1-0003 (£2,000, 100%) and YV1-0002 (£1,000, 60%). Ruth declared an interest,
    not a conflict, in YV1-0002."""
    first = make_application(amount=Decimal("7250"))
    second = make_application("Healthy relationships in schools", amount=Decimal("3500"))
    boxing = make_application("Boxing after school", amount=Decimal("2000"))
    declare(chair, first, conflict=True)
    declare(member, second, interest="Knows the project lead")
    score(member, first, [5, 4], comments=[SECRET, "Good"])
    score(third, first, [3, 2])
    score(chair, second, [2, 2])
    score(member, second, [3, 3], comments=["Visible to the chair", ""])
    score(chair, boxing, [5, 5])
    score(third, boxing, [4, 4])
    moderate(first, Decimal("5250"), scores=(4, 3), by=staff_user, rationale=SECRET)
    moderate(second, Decimal("1000"), scores=(3, 3))
    moderate(boxing, Decimal("2000"), scores=(5, 5))
    return {
        "round": funding_round,
        "YV1-0001": first,
        "YV1-0002": second,
        "YV1-0003": boxing,
        "chair": chair,
        "member": member,
        "third": third,
    }


def ranked(rows):
    return [
        (
            row.rank,
            row.application.reference,
            row.moderation.total,
            row.mean,
            row.moderation.recommended_amount,
            row.cumulative,
        )
        for row in rows
    ]


def test_round_ranking_for_the_conflicted_chair_leaves_the_application_out(
    conflicted_round, chair_user
):
    c = conflicted_round

    rows = selectors.round_ranking(funding_round=c["round"], viewer=chair_user)

    # Ranked and totalled as if YV1-0001 were not in the round: £2,000, then £3,000.
    assert ranked(rows) == [
        (
            1,
            "YV1-0003",
            Decimal("100.00"),
            Decimal("90.00"),
            Decimal("2000.00"),
            Decimal("2000.00"),
        ),
        (2, "YV1-0002", Decimal("60.00"), Decimal("50.00"), Decimal("1000.00"), Decimal("3000.00")),
    ]
    assert [row.member_totals for row in rows] == [
        {c["chair"].pk: Decimal("100.00"), c["third"].pk: Decimal("80.00")},
        {c["chair"].pk: Decimal("40.00"), c["member"].pk: Decimal("60.00")},
    ]
    withheld = selectors.withheld_applications(
        funding_round=c["round"],
        ids=selectors.conflicted_application_ids(user=chair_user, funding_round=c["round"]),
    )
    assert [a.reference for a in withheld] == ["YV1-0001"]


@pytest.mark.parametrize("viewer", ["staff_user", "member_user"])
def test_round_ranking_for_staff_and_the_deputy_has_every_application(
    viewer, request, conflicted_round
):
    rows = selectors.round_ranking(
        funding_round=conflicted_round["round"], viewer=request.getfixturevalue(viewer)
    )

    assert ranked(rows) == [
        (
            1,
            "YV1-0003",
            Decimal("100.00"),
            Decimal("90.00"),
            Decimal("2000.00"),
            Decimal("2000.00"),
        ),
        (2, "YV1-0001", Decimal("72.00"), Decimal("72.00"), Decimal("5250.00"), Decimal("7250.00")),
        (3, "YV1-0002", Decimal("60.00"), Decimal("50.00"), Decimal("1000.00"), Decimal("8250.00")),
    ]


def declarations(report):
    return [(row[0], row[3], row[5], row[7]) for row in report["declaration_rows"]]


def test_panel_report_for_the_conflicted_chair_has_nothing_of_the_application(
    conflicted_round, chair_user
):
    c = conflicted_round
    criteria = list(c["round"].criteria.order_by("number"))
    one, two = (criterion.pk for criterion in criteria)

    report = selectors.panel_report(funding_round=c["round"], viewer=chair_user)

    assert ranked(report["ranking"]) == [
        (
            1,
            "YV1-0003",
            Decimal("100.00"),
            Decimal("90.00"),
            Decimal("2000.00"),
            Decimal("2000.00"),
        ),
        (2, "YV1-0002", Decimal("60.00"), Decimal("50.00"), Decimal("1000.00"), Decimal("3000.00")),
    ]
    assert [(a.reference, a.title, a.organisation.name) for a in report["withheld"]] == [
        ("YV1-0001", "Mentoring for young people at risk", "Darlington Youth Mentoring Trust")
    ]
    assert report["scores"] == {
        c["YV1-0002"].pk: {
            c["chair"].pk: {one: (2, ""), two: (2, "")},
            c["member"].pk: {one: (3, "Visible to the chair"), two: (3, "")},
        },
        c["YV1-0003"].pk: {
            c["chair"].pk: {one: (5, ""), two: (5, "")},
            c["third"].pk: {one: (4, ""), two: (4, "")},
        },
    }
    assert report["moderated_scores"] == {
        c["YV1-0002"].pk: {one: 3, two: 3},
        c["YV1-0003"].pk: {one: 5, two: 5},
    }
    # Nor the declarations on it: the chair's own, nor the other members'.
    assert [(d.application.reference, d.interest) for d in report["interests"]] == [
        ("YV1-0002", "Knows the project lead")
    ]
    assert report["nil_declarations"] == 3
    assert declarations(report) == [
        ("YV1-0002", "Daniel Okafor", False, False),
        ("YV1-0002", "Ruth Ellison", True, False),
        ("YV1-0003", "Amira Haddad", False, False),
        ("YV1-0003", "Daniel Okafor", False, False),
    ]
    assert SECRET not in repr(report)


def test_panel_report_page_for_the_conflicted_chair_has_no_scores_of_the_application(
    conflicted_round, chair_user
):
    c = conflicted_round

    report = selectors.panel_report(funding_round=c["round"], viewer=chair_user, for_download=False)

    assert [row.application.reference for row in report["ranking"]] == ["YV1-0003", "YV1-0002"]
    assert set(report["scores"]) == {c["YV1-0002"].pk, c["YV1-0003"].pk}
    assert report["moderated_scores"] == {}
    assert [a.reference for a in report["withheld"]] == ["YV1-0001"]


def test_panel_report_for_staff_has_every_application(conflicted_round, staff_user):
    c = conflicted_round
    one, two = (criterion.pk for criterion in c["round"].criteria.order_by("number"))

    report = selectors.panel_report(funding_round=c["round"], viewer=staff_user)

    assert [(row.rank, row.application.reference, row.cumulative) for row in report["ranking"]] == [
        (1, "YV1-0003", Decimal("2000.00")),
        (2, "YV1-0001", Decimal("7250.00")),
        (3, "YV1-0002", Decimal("8250.00")),
    ]
    assert report["withheld"] == []
    assert report["scores"][c["YV1-0001"].pk] == {
        c["member"].pk: {one: (5, SECRET), two: (4, "Good")},
        c["third"].pk: {one: (3, ""), two: (2, "")},
    }
    assert set(report["scores"]) == {c[ref].pk for ref in ("YV1-0001", "YV1-0002", "YV1-0003")}
    assert report["moderated_scores"][c["YV1-0001"].pk] == {one: 4, two: 3}
    assert [(d.application.reference, d.interest) for d in report["interests"]] == [
        ("YV1-0001", "Board member of the applicant"),
        ("YV1-0002", "Knows the project lead"),
    ]
    assert report["nil_declarations"] == 5
    assert declarations(report)[:3] == [
        ("YV1-0001", "Amira Haddad", False, False),
        ("YV1-0001", "Daniel Okafor", True, True),
        ("YV1-0001", "Ruth Ellison", False, False),
    ]


def test_reads_for_a_chair_who_belongs_to_the_applicant_withhold_all_its_applications(
    conflicted_round, chair_user, applicant_org
):
    """Conflicted without declaring: a member of the organisation that applied."""
    MembershipFactory(user=chair_user, organisation=applicant_org)
    funding_round = conflicted_round["round"]

    report = selectors.panel_report(funding_round=funding_round, viewer=chair_user)

    assert selectors.round_ranking(funding_round=funding_round, viewer=chair_user) == []
    assert report["ranking"] == []
    assert [a.reference for a in report["withheld"]] == ["YV1-0001", "YV1-0002", "YV1-0003"]
    assert (report["scores"], report["moderated_scores"], report["interests"]) == ({}, {}, [])
    assert list(report["declaration_rows"]) == []
    assert report["nil_declarations"] == 0
