"""seed_demo's scoring panel for the Violence Prevention Fund round."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Sum

from grants.enums import ApplicationStatus, Recommendation, ScorecardStatus
from grants.models import ConflictDeclaration, FundingRound, Moderation, Scorecard
from tests.second_factor import sign_in as sign_in_with_second_factor

VPF = "violence-prevention-fund-2024"


@pytest.fixture
def demo(demo):
    """The seeded demo's Violence Prevention Fund round."""
    return FundingRound.objects.get(slug=VPF)


def test_seed_demo_panel_of_five_from_five_organisations(demo):
    panel = demo.panel
    members = list(panel.members.select_related("user", "organisation").order_by("user__email"))
    assert [(m.user.email, m.organisation.name) for m in members] == [
        ("panel1@demo.example", "Durham Constabulary"),
        ("panel2@demo.example", "Durham County Council"),
        ("panel3@demo.example", "County Durham Public Health"),
        ("panel4@demo.example", "Probation Service North East"),
        ("panel5@demo.example", "County Durham Youth Justice Service"),
    ]
    assert len({m.organisation_id for m in members}) == 5
    assert panel.chair.email == "panel1@demo.example"


def test_seed_demo_one_conflict_and_every_other_scorecard_in(demo):
    conflicts = ConflictDeclaration.objects.filter(application__round=demo, is_conflict=True)
    assert [(c.member.user.email, c.application.title) for c in conflicts] == [
        ("panel3@demo.example", "Street sport on the seafront")
    ]
    # Five applications in assessment × five members, less the conflicted one.
    assert ConflictDeclaration.objects.filter(application__round=demo).count() == 25
    scorecards = Scorecard.objects.filter(application__round=demo)
    assert scorecards.count() == 24
    assert scorecards.filter(status=ScorecardStatus.SUBMITTED).count() == 24
    assert not scorecards.filter(member=conflicts[0].member, application=conflicts[0].application)


def test_seed_demo_five_moderations_within_budget(demo):
    moderations = Moderation.objects.filter(application__round=demo)
    assert moderations.count() == 5
    assert sorted(moderations.values_list("application__title", "recommendation")) == [
        ("Friday night boxing sessions", Recommendation.FUND_WITH_CONDITIONS),
        ("Healthy relationships in schools", Recommendation.FUND),
        ("Mentoring for young people at risk of exploitation", Recommendation.FUND),
        ("Night-time economy welfare hubs", Recommendation.FUND),
        ("Street sport on the seafront", Recommendation.DO_NOT_FUND),
    ]
    total = moderations.aggregate(total=Sum("recommended_amount"))["total"]
    # 38,500 + 4,800 + 35,955 (nine tenths of 39,950) + 27,000
    assert total == Decimal("106255.00")
    assert total <= Decimal("700000")
    assert (
        sorted(demo.applications.filter(moderation__isnull=False).values_list("status", flat=True))
        == [ApplicationStatus.NOT_RECOMMENDED] + [ApplicationStatus.RECOMMENDED] * 4
    )


def test_seed_demo_twice_adds_no_second_panel(demo):
    call_command("seed_demo", verbosity=0)
    assert Scorecard.objects.filter(application__round=demo).count() == 24
    assert Moderation.objects.filter(application__round=demo).count() == 5


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5])
def test_seed_demo_panel_member_signs_in_and_reaches_the_round(n, demo, client):
    response = sign_in_with_second_factor(client, f"panel{n}@demo.example", "demo-password-2024")
    assert response.status_code == 302
    response = client.get(f"/panel/{VPF}/")
    assert response.status_code == 200
    assert "5 applications" in response.content.decode()


def sign_in(client, n):
    sign_in_with_second_factor(client, f"panel{n}@demo.example", "demo-password-2024")
    return client


def test_seed_demo_conflicted_member_kept_out_of_that_application(demo, client):
    street = demo.applications.get(title="Street sport on the seafront")
    mentoring = demo.applications.get(title="Mentoring for young people at risk of exploitation")
    sign_in(client, 3)
    assert client.get(f"/panel/{VPF}/applications/{street.reference}/").status_code == 404
    response = client.get(f"/panel/{VPF}/applications/{mentoring.reference}/")
    assert response.status_code == 200
    # Their own scorecard is in, so the other four members' scores show.
    content = response.content.decode()
    for name in ("Daniel Okafor", "Ruth Ellison", "Gareth Lowe", "Sophie Marsh"):
        assert name in content


@pytest.mark.parametrize(("n", "status"), [(1, 200), (2, 200), (3, 403), (5, 403)])
def test_seed_demo_only_the_chair_and_deputy_reach_the_ranking(n, status, demo, client):
    sign_in(client, n)
    assert client.get(f"/panel/{VPF}/ranking/").status_code == status
