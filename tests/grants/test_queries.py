"""The panel's list pages run the same number of queries for 10 applications as for 200."""

import itertools
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from grants.enums import ApplicationStatus, Recommendation, ScorecardStatus
from grants.models import (
    Application,
    ConflictDeclaration,
    ModeratedScore,
    Moderation,
    Score,
    Scorecard,
)
from tests.factories import OrganisationFactory

SLUG = "youth-violence-2025"


@pytest.fixture
def add_applications(panel, criteria, staff_user, chair_user):
    """add_applications(n): n more applications, each declared on and scored by all three
    members (rows written in bulk); every fourth is funded, every fourth after it refused."""
    members = list(panel.members.order_by("pk"))
    organisations = [OrganisationFactory(name=f"Applicant {n}") for n in range(5)]
    numbers = itertools.count(1)
    now = timezone.now()

    def add(count):
        batch = [next(numbers) for _ in range(count)]
        applications = Application.objects.bulk_create(
            Application(
                round=panel.round,
                organisation=organisations[n % len(organisations)],
                reference=f"Q-{n:04d}",
                title=f"Project {n}",
                amount_requested=Decimal("1000"),
                status=(
                    ApplicationStatus.RECOMMENDED
                    if n % 4 == 0
                    else ApplicationStatus.NOT_RECOMMENDED
                    if n % 4 == 1
                    else ApplicationStatus.UNDER_ASSESSMENT
                ),
                submitted_at=now,
                created_by=staff_user,
            )
            for n in batch
        )
        ConflictDeclaration.objects.bulk_create(
            ConflictDeclaration(
                member=member,
                application=application,
                has_interest=index == 2 and n % 5 == 0,
                interest="Knows the applicant" if index == 2 and n % 5 == 0 else "",
            )
            for n, application in zip(batch, applications, strict=True)
            for index, member in enumerate(members)
        )
        scorecards = Scorecard.objects.bulk_create(
            Scorecard(
                member=member,
                application=application,
                status=ScorecardStatus.SUBMITTED,
                submitted_at=now,
                total=Decimal(40 + (n * 7 + index * 13) % 60),
            )
            for n, application in zip(batch, applications, strict=True)
            for index, member in enumerate(members)
        )
        Score.objects.bulk_create(
            Score(scorecard=scorecard, criterion=criterion, score=3, comment="Sound plan")
            for scorecard in scorecards
            for criterion in criteria
        )
        moderated = [
            (n, application)
            for n, application in zip(batch, applications, strict=True)
            if n % 4 in (0, 1)
        ]
        moderations = Moderation.objects.bulk_create(
            Moderation(
                application=application,
                rationale=f"Rationale {n}",
                recommendation=Recommendation.FUND if n % 4 == 0 else Recommendation.DO_NOT_FUND,
                recommended_amount=Decimal("40") if n % 4 == 0 else Decimal("0"),
                total=Decimal(50 + n % 50),
                moderated_by=chair_user,
            )
            for n, application in moderated
        )
        ModeratedScore.objects.bulk_create(
            ModeratedScore(moderation=moderation, criterion=criterion, score=3)
            for moderation in moderations
            for criterion in criteria
        )

    return add


def fetch(client, target):
    response = client.get(target)
    assert response.status_code == 200
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


@pytest.mark.parametrize(
    "target",
    [
        f"/panel/{SLUG}/ranking/",
        f"/panel/{SLUG}/report/",
        f"/panel/{SLUG}/report.csv",
        f"/panel/{SLUG}/report.xlsx",
    ],
)
def test_results_pages_queries_same_for_10_and_200_applications(
    target, client_as, staff_user, add_applications, django_assert_num_queries
):
    client = client_as(staff_user)
    add_applications(10)
    with CaptureQueriesContext(connection) as ten:
        fetch(client, target)
    add_applications(190)
    with django_assert_num_queries(len(ten.captured_queries)):
        content = fetch(client, target)
    if not target.endswith(".xlsx"):
        assert b"Q-0200" in content
        assert b"Q-0001" in content


def test_panel_round_page_queries_same_for_1_and_200_applications(
    client_as, chair_user, add_applications, django_assert_num_queries
):
    client = client_as(chair_user)
    target = reverse("grants:panel-round", args=[SLUG])
    add_applications(1)
    with CaptureQueriesContext(connection) as one:
        fetch(client, target)
    add_applications(199)
    with django_assert_num_queries(len(one.captured_queries)):
        content = fetch(client, target)
    assert b"200 applications" in content
    assert b"Q-0200" in content


def test_ranking_queries_same_for_3_and_12_panel_members(
    panel, client_as, staff_user, add_applications, make_panellist, django_assert_num_queries
):
    """The per-member list of outstanding work reads the panel once, not once a member."""
    from grants.models import PanelMember

    client = client_as(staff_user)
    add_applications(10)
    target = f"/panel/{SLUG}/ranking/"
    with CaptureQueriesContext(connection) as three:
        fetch(client, target)
    # Session, user, the second factor's device, round, roles; the viewer's conflicts (2) read once for the ranking,
    # the withheld list and the outstanding work; the panel; the ranking (2); the
    # outstanding work (members, applications, declarations, scorecards, memberships).
    assert len(three.captured_queries) == 15
    for n in range(9):
        user = make_panellist(f"Extra Member {n:02d}", f"Partner {n}")
        PanelMember.objects.create(
            panel=panel, user=user, organisation=user.memberships.get().organisation
        )
    with django_assert_num_queries(len(three.captured_queries)):
        content = fetch(client, target).decode()
    # Each new member has declared nothing on any of the ten.
    assert content.count("Not declared: 10 (") == 9
