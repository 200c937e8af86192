"""grants.services.panels: setting up a panel, declarations, scorecards and reopening them.
Moderation is in test_services_panels_moderation.py."""

import contextlib
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from grants import services
from grants.enums import (
    AssignmentMode,
    ScorecardStatus,
)
from grants.models import (
    ConflictDeclaration,
    Panel,
    Score,
    Scorecard,
    ScorecardReopening,
)
from grants.scoring import weighted_total
from partners.enums import Role
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory


def member_names(panel):
    return sorted(m.user.full_name for m in panel.members.select_related("user"))


def stored_scores(scorecard):
    return [
        (s.criterion.number, s.score, s.comment)
        for s in Score.objects.filter(scorecard=scorecard).select_related("criterion")
    ]


# --- panel_save ---------------------------------------------------------------------------


def test_panel_save_members_represent_their_organisations(panel, chair_user):
    assert panel.chair == chair_user
    assert sorted(
        (m.user.full_name, m.organisation.name) for m in panel.members.select_related("user")
    ) == [
        ("Amira Haddad", "County Durham Public Health"),
        ("Daniel Okafor", "Durham Constabulary"),
        ("Ruth Ellison", "Durham County Council"),
    ]
    assert panel.assignment_mode == AssignmentMode.ALL
    assert panel.hide_applicant_identity is False
    assert panel.spread_threshold == Decimal("20")


def test_panel_save_again_changes_the_same_panel(panel, make_panel, funding_round, member_user):
    again = make_panel(
        funding_round,
        member_user,
        [member_user],
        hide_applicant_identity=True,
        spread_threshold=Decimal("12.5"),
    )
    again.refresh_from_db()
    assert again.pk == panel.pk
    assert again.chair == member_user
    assert again.hide_applicant_identity is True
    assert again.spread_threshold == Decimal("12.50")
    assert member_names(again) == ["Ruth Ellison"]


def test_panel_save_chair_not_a_member_refused(make_panel, funding_round, chair_user, member_user):
    with pytest.raises(ValidationError) as caught:
        make_panel(funding_round, chair_user, [member_user])
    assert caught.value.messages == ["The chair must be one of the panel's members"]
    assert not Panel.objects.filter(round=funding_round).exists()


def test_panel_save_user_without_panel_member_role_refused(make_panel, funding_round, chair_user):
    provider = UserFactory(full_name="Chris Bell", roles=[Role.PROVIDER])
    MembershipFactory(user=provider, organisation=OrganisationFactory(name="Boxing Club"))
    with pytest.raises(ValidationError) as caught:
        make_panel(funding_round, chair_user, [chair_user, provider])
    assert caught.value.messages == ["Not in the Panel member role: Chris Bell"]
    assert not Panel.objects.filter(round=funding_round).exists()


def test_panel_save_same_person_twice_refused(funding_round, staff_user, chair_user):
    organisation = chair_user.memberships.get().organisation
    with pytest.raises(ValidationError) as caught:
        services.panel_save(
            funding_round=funding_round,
            by=staff_user,
            chair=chair_user,
            members=[(chair_user, organisation), (chair_user, organisation)],
        )
    assert caught.value.messages == ["Each person can be on the panel once"]


def test_panel_save_spread_threshold_above_100_refused(make_panel, funding_round, chair_user):
    with pytest.raises(ValidationError) as caught:
        make_panel(funding_round, chair_user, [chair_user], spread_threshold=Decimal("100.01"))
    assert caught.value.messages == [
        "The spread threshold must be between 0 and 100 percentage points"
    ]


def test_panel_save_member_who_scored_cannot_be_removed(
    make_panel, funding_round, chair_user, third_user, member, application, score
):
    # A draft is a score too: its author must stay on the panel.
    score(member, application, [4, None], submit=False)
    with pytest.raises(ValidationError) as caught:
        make_panel(funding_round, chair_user, [chair_user, third_user])
    assert caught.value.messages == [
        "Ruth Ellison already declared or scored: they cannot leave the panel"
    ]
    assert member_names(member.panel) == ["Amira Haddad", "Daniel Okafor", "Ruth Ellison"]


def test_panel_save_member_who_has_not_scored_can_be_removed(
    panel, make_panel, funding_round, chair_user, member_user
):
    make_panel(funding_round, chair_user, [chair_user, member_user])
    assert member_names(panel) == ["Daniel Okafor", "Ruth Ellison"]


def test_panel_save_removing_member_keeps_their_declarations(
    make_panel, funding_round, chair_user, member_user, third, application, declare
):
    declare(third, application, conflict=True)
    # Refusing to remove them would keep the register whole too.
    with contextlib.suppress(ValidationError):
        make_panel(funding_round, chair_user, [chair_user, member_user])
    assert ConflictDeclaration.objects.filter(application=application).count() == 1


# --- declaration_make ---------------------------------------------------------------------


def test_declaration_make_no_interest_keeps_no_text(member, application):
    declaration = services.declaration_make(
        member=member, application=application, has_interest=False, interest="stray text"
    )
    declaration.refresh_from_db()
    assert (declaration.has_interest, declaration.interest, declaration.is_conflict) == (
        False,
        "",
        False,
    )


def test_declaration_make_conflict_recorded_with_interest(member, application):
    declaration = services.declaration_make(
        member=member,
        application=application,
        has_interest=True,
        interest="  Trustee of the applicant  ",
        is_conflict=True,
    )
    declaration.refresh_from_db()
    assert (declaration.has_interest, declaration.interest, declaration.is_conflict) == (
        True,
        "Trustee of the applicant",
        True,
    )


def test_declaration_make_second_time_refused(member, application, declare):
    declare(member, application)
    with pytest.raises(ValidationError) as caught:
        declare(member, application, conflict=True)
    assert caught.value.messages == ["You have already declared for this application"]
    assert list(
        ConflictDeclaration.objects.filter(member=member).values_list("is_conflict", flat=True)
    ) == [False]


def test_declaration_make_interest_without_text_refused(member, application):
    with pytest.raises(ValidationError) as caught:
        services.declaration_make(
            member=member, application=application, has_interest=True, interest="   "
        )
    assert caught.value.message_dict == {"interest": ["Describe the interest"]}
    assert not ConflictDeclaration.objects.exists()


def test_declaration_make_conflict_without_interest_refused(member, application):
    with pytest.raises(ValidationError) as caught:
        services.declaration_make(
            member=member, application=application, has_interest=False, is_conflict=True
        )
    assert caught.value.message_dict == {"is_conflict": ["A conflict is an interest: describe it"]}
    assert not ConflictDeclaration.objects.exists()


def test_declaration_make_other_rounds_application_refused(
    member, make_round, make_application, declare
):
    elsewhere = make_application(round=make_round(slug="another-round"))
    with pytest.raises(ValidationError) as caught:
        declare(member, elsewhere)
    assert caught.value.messages == ["This application is not one of yours to score"]


def test_declaration_make_unassigned_application_refused_when_panel_assigns(
    make_panel,
    funding_round,
    chair_user,
    member_user,
    application,
    second_application,
    declare,
    staff_user,
):
    panel = make_panel(
        funding_round,
        chair_user,
        [chair_user, member_user],
        assignment_mode=AssignmentMode.ASSIGNED,
    )
    member = panel.members.get(user=member_user)
    services.assignments_set(member=member, applications=[second_application], by=staff_user)
    declare(member, second_application)
    with pytest.raises(ValidationError) as caught:
        declare(member, application)
    assert caught.value.messages == ["This application is not one of yours to score"]


# --- scorecard_save -----------------------------------------------------------------------


def test_scorecard_save_draft_with_gaps_kept(member, application, score):
    scorecard = score(
        member, application, [4, None], comments=["Local data is strong", ""], submit=False
    )
    scorecard.refresh_from_db()
    assert (scorecard.status, scorecard.submitted_at, scorecard.total) == (
        ScorecardStatus.DRAFT,
        None,
        None,
    )
    assert stored_scores(scorecard) == [(1, 4, "Local data is strong"), (2, None, "")]


def test_scorecard_save_submit_with_gap_refused(member, application, criteria, score):
    score(member, application, [4, None], submit=False)
    with pytest.raises(ValidationError) as caught:
        score(member, application, [5, None], submit=True)
    assert caught.value.message_dict == {
        f"score_{criteria[1].pk}": ["Score Multi-agency delivery before you submit"]
    }
    scorecard = Scorecard.objects.get(member=member, application=application)
    assert (scorecard.status, scorecard.total) == (ScorecardStatus.DRAFT, None)
    assert stored_scores(scorecard) == [(1, 4, ""), (2, None, "")]


def test_scorecard_save_score_above_scale_refused(member, application, criteria, score):
    with pytest.raises(ValidationError) as caught:
        score(member, application, [6, 3], submit=False)
    assert caught.value.message_dict == {
        f"score_{criteria[0].pk}": ["Score Need and the local evidence from 0 to 5"]
    }
    assert not Scorecard.objects.exists()
    assert not Score.objects.exists()


def test_scorecard_save_conflicted_member_refused(member, application, declare, score):
    declare(member, application, conflict=True)
    with pytest.raises(ValidationError) as caught:
        score(member, application, [4, 3])
    assert caught.value.messages == [
        "You declared a conflict of interest: you cannot score this application"
    ]
    assert not Scorecard.objects.exists()
    assert not Score.objects.exists()


def test_scorecard_save_undeclared_member_refused(member, application, criteria):
    with pytest.raises(ValidationError) as caught:
        services.scorecard_save(
            member=member,
            application=application,
            marks={criteria[0].pk: (4, ""), criteria[1].pk: (3, "")},
            submit=True,
        )
    assert caught.value.messages == ["Declare any interest before you score"]
    assert not Scorecard.objects.exists()


def test_scorecard_save_criterion_of_another_round_refused(
    member, application, criteria, declare, make_round
):
    declare(member, application)
    foreign = make_round(slug="another-round").criteria.first()
    with pytest.raises(ValidationError) as caught:
        services.scorecard_save(
            member=member,
            application=application,
            marks={criteria[0].pk: (4, ""), criteria[1].pk: (3, ""), foreign.pk: (5, "")},
            submit=False,
        )
    assert caught.value.messages == ["Scores were sent for criteria this round does not have"]
    assert not Score.objects.exists()


def test_scorecard_save_submitted_cannot_be_changed(member, application, score):
    score(member, application, [4, 3], comments=["Strong", "Good"])
    with pytest.raises(ValidationError) as caught:
        score(member, application, [5, 5], comments=["Changed", "Changed"], submit=False)
    assert caught.value.messages == [
        "You have submitted this scorecard: ask the chair to reopen it"
    ]
    scorecard = Scorecard.objects.get(member=member, application=application)
    assert (scorecard.status, str(scorecard.total)) == (ScorecardStatus.SUBMITTED, "72.00")
    assert stored_scores(scorecard) == [(1, 4, "Strong"), (2, 3, "Good")]


def test_scorecard_save_submit_stores_weighted_total(member, application, score):
    scorecard = score(member, application, [4, 3])
    scorecard.refresh_from_db()
    assert scorecard.status == ScorecardStatus.SUBMITTED
    assert scorecard.submitted_at is not None
    # (60 × 4 + 40 × 3) / (60 × 5 + 40 × 5)
    assert str(scorecard.total) == "72.00"


def test_scorecard_save_total_rounded_and_weight_zero_ignored(
    make_round, make_panel, make_application, chair_user, score
):
    criteria = [
        {
            "number": 1,
            "title": "Need",
            "guidance": "3: clear",
            "weight": Decimal("50"),
            "scale_max": 3,
        },
        {
            "number": 2,
            "title": "Delivery",
            "guidance": "3: clear",
            "weight": Decimal("25"),
            "scale_max": 3,
        },
        {
            "number": 3,
            "title": "Unweighted",
            "guidance": "5: clear",
            "weight": Decimal("0"),
            "scale_max": 5,
        },
    ]
    funding_round = make_round(slug="thirds", criteria=criteria)
    panel = make_panel(funding_round, chair_user, [chair_user])
    application = make_application(round=funding_round)
    scorecard = score(panel.members.get(), application, [2, 2, 5])
    scorecard.refresh_from_db()
    # (50 × 2 + 25 × 2) / (50 × 3 + 25 × 3) = 150 / 225 = 66.666…
    assert str(scorecard.total) == "66.67"
    assert scorecard.total == weighted_total(
        [(Decimal("50"), 2, 3), (Decimal("25"), 2, 3), (Decimal("0"), 5, 5)]
    )


# --- scorecard_reopen ---------------------------------------------------------------------


def test_scorecard_reopen_by_chair_records_reason(member, application, chair_user, score):
    scorecard = score(member, application, [4, 3])
    services.scorecard_reopen(
        scorecard=scorecard, by=chair_user, reason="  Scored against the wrong budget  "
    )
    scorecard.refresh_from_db()
    assert (scorecard.status, scorecard.submitted_at, scorecard.total) == (
        ScorecardStatus.DRAFT,
        None,
        None,
    )
    assert list(
        ScorecardReopening.objects.filter(scorecard=scorecard).values_list("reason", "reopened_by")
    ) == [("Scored against the wrong budget", chair_user.pk)]
    # The scores stay for the member to correct and submit again.
    assert stored_scores(scorecard) == [(1, 4, ""), (2, 3, "")]
    score(member, application, [5, 3])
    scorecard.refresh_from_db()
    assert str(scorecard.total) == "84.00"


@pytest.mark.parametrize("who", ["member_user", "third_user", "staff_user"])
def test_scorecard_reopen_by_anyone_but_the_chair_refused(request, who, member, application, score):
    scorecard = score(member, application, [4, 3])
    with pytest.raises(PermissionDenied) as caught:
        services.scorecard_reopen(
            scorecard=scorecard, by=request.getfixturevalue(who), reason="Scored wrongly"
        )
    assert str(caught.value) == "Only the chair can reopen a scorecard"
    scorecard.refresh_from_db()
    assert scorecard.status == ScorecardStatus.SUBMITTED
    assert not ScorecardReopening.objects.exists()


def test_scorecard_reopen_without_reason_refused(member, application, chair_user, score):
    scorecard = score(member, application, [4, 3])
    with pytest.raises(ValidationError) as caught:
        services.scorecard_reopen(scorecard=scorecard, by=chair_user, reason="   ")
    assert caught.value.message_dict == {"reason": ["Give the reason for reopening the scorecard"]}
    scorecard.refresh_from_db()
    assert scorecard.status == ScorecardStatus.SUBMITTED
    assert not ScorecardReopening.objects.exists()


def test_scorecard_reopen_draft_refused(member, application, chair_user, score):
    scorecard = score(member, application, [4, None], submit=False)
    with pytest.raises(ValidationError) as caught:
        services.scorecard_reopen(scorecard=scorecard, by=chair_user, reason="Scored wrongly")
    assert caught.value.messages == ["Only a submitted scorecard can be reopened"]
    assert not ScorecardReopening.objects.exists()


def test_scorecard_reopen_by_conflicted_chair_refused(
    chair, member, application, chair_user, declare, score
):
    declare(chair, application, conflict=True)
    scorecard = score(member, application, [4, 3])
    with pytest.raises(ValidationError):
        services.scorecard_reopen(scorecard=scorecard, by=chair_user, reason="Too generous")
