"""The panel services check who is acting, whatever called them (a view, a shell, a task).

Setting up a panel and assigning its work are OPCC staff's; moderation is the chair's, the
deputy chair's where the chair is conflicted, or staff's, and never that of someone conflicted
on the application. The wrong people are refused with PermissionDenied and change nothing;
the right people succeed. The checks are the `rules` permissions the views ask
(grants/rules.py).
"""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from grants import services
from grants.enums import ApplicationStatus, AssignmentMode, Recommendation
from grants.models import (
    Application,
    ApplicationStatusChange,
    Assignment,
    ModeratedScore,
    Moderation,
    Panel,
    PanelMember,
)
from tests.factories import MembershipFactory

from .conftest import organisation_of

STAFF_RATIONALE = "Strong referral routes from the youth justice service."
SETUP_REFUSED = "You may not do this (grants.setup_panel)"
MODERATION_REFUSED = (
    "Only the panel's chair, its deputy where the chair declared a conflict, or OPCC staff "
    "can record moderation, and never someone conflicted on the application"
)


# --- Setting up the panel and its work ---------------------------------------------------------


def _panel_state() -> dict:
    return {
        "panels": list(
            Panel.objects.order_by("pk").values_list(
                "round_id",
                "chair_id",
                "deputy_chair_id",
                "assignment_mode",
                "hide_applicant_identity",
                "spread_threshold",
            )
        ),
        "members": list(
            PanelMember.objects.order_by("pk").values_list("user_id", "organisation_id")
        ),
        "assignments": list(
            Assignment.objects.order_by("pk").values_list("member__user_id", "application_id")
        ),
    }


NOT_STAFF = [
    "provider_user",
    "chair_user",
    "member_user",
    "ceo_user",
    "pcc_user",
    "anonymous",
    "nobody",
]


def _save_panel(funding_round, by, chair, users, **settings):
    return services.panel_save(
        funding_round=funding_round,
        by=by,
        chair=chair,
        members=[(user, organisation_of(user)) for user in users],
        **settings,
    )


@pytest.mark.parametrize("who", NOT_STAFF)
def test_panel_save_by_anyone_but_staff_refused(
    who, actor, make_round, make_panel, chair_user, member_user, third_user
):
    unpanelled = make_round(slug="no-panel-yet")
    panelled = make_round(slug="with-a-panel")
    make_panel(panelled, chair_user, [chair_user, member_user, third_user])
    before = _panel_state()

    for funding_round in (unpanelled, panelled):
        with pytest.raises(PermissionDenied) as caught:
            # A member making themselves chair, with only the people they choose.
            _save_panel(
                funding_round,
                actor(who),
                member_user,
                [member_user, third_user],
                deputy_chair=third_user,
                hide_applicant_identity=True,
            )
        assert str(caught.value) == SETUP_REFUSED

    assert _panel_state() == before
    assert before["panels"] == [
        (panelled.pk, chair_user.pk, None, AssignmentMode.ALL, False, Decimal("20.00"))
    ]
    assert [user for user, _ in before["members"]] == [chair_user.pk, member_user.pk, third_user.pk]


def test_panel_save_by_staff(funding_round, staff_user, chair_user, member_user, third_user):
    _save_panel(funding_round, staff_user, chair_user, [chair_user, member_user])
    _save_panel(
        funding_round,
        staff_user,
        member_user,
        [chair_user, member_user, third_user],
        deputy_chair=third_user,
        hide_applicant_identity=True,
    )

    state = _panel_state()
    assert state["panels"] == [
        (
            funding_round.pk,
            member_user.pk,
            third_user.pk,
            AssignmentMode.ALL,
            True,
            Decimal("20.00"),
        )
    ]
    assert [user for user, _ in state["members"]] == [chair_user.pk, member_user.pk, third_user.pk]


@pytest.fixture
def assigned_panel(make_panel, funding_round, chair_user, member_user, third_user):
    return make_panel(
        funding_round,
        chair_user,
        [chair_user, member_user, third_user],
        assignment_mode=AssignmentMode.ASSIGNED,
    )


@pytest.mark.parametrize("who", NOT_STAFF)
def test_assignments_set_by_anyone_but_staff_refused(
    who, actor, assigned_panel, member_user, application, second_application, staff_user
):
    member = PanelMember.objects.get(panel=assigned_panel, user=member_user)
    services.assignments_set(member=member, applications=[application], by=staff_user)
    before = _panel_state()

    with pytest.raises(PermissionDenied) as caught:
        # The member among them, choosing their own work.
        services.assignments_set(member=member, applications=[second_application], by=actor(who))

    assert str(caught.value) == SETUP_REFUSED
    assert _panel_state() == before
    assert before["assignments"] == [(member_user.pk, application.pk)]


def test_assignments_set_by_staff(
    assigned_panel, member_user, application, second_application, staff_user
):
    member = PanelMember.objects.get(panel=assigned_panel, user=member_user)
    services.assignments_set(member=member, applications=[application], by=staff_user)

    services.assignments_set(member=member, applications=[second_application], by=staff_user)

    assert _panel_state()["assignments"] == [(member_user.pk, second_application.pk)]


# --- Moderation ---------------------------------------------------------------------------------


@pytest.fixture
def moderated(
    make_panel,
    funding_round,
    chair_user,
    member_user,
    third_user,
    application,
    second_application,
    declare,
    score,
    staff_user,
):
    """Daniel chairs and Ruth is deputy chair. Daniel declared a conflict on YV1-0001 and none
    on YV1-0002. Amira scored both, and staff moderated each at £2,000: what a refused call
    must leave as it is."""
    make_panel(
        funding_round, chair_user, [chair_user, member_user, third_user], deputy_chair=member_user
    )
    chair, third = (
        PanelMember.objects.get(panel__round=funding_round, user=u)
        for u in (chair_user, third_user)
    )
    declare(chair, application, conflict=True)
    declare(chair, second_application)
    for each in (application, second_application):
        score(third, each, [4, 3])
        _moderate(each, staff_user, Decimal("2000"), rationale=STAFF_RATIONALE)
    return {"YV1-0001": application, "YV1-0002": second_application}


def _moderate(application, by, amount=Decimal("5000"), rationale="Moderated again."):
    criteria = list(application.round.criteria.order_by("number"))
    return services.moderation_record(
        application=application,
        by=by,
        scores={criteria[0].pk: 5, criteria[1].pk: 4},
        rationale=rationale,
        recommendation=Recommendation.FUND,
        recommended_amount=amount,
    )


def _moderation_state() -> dict:
    return {
        "moderations": list(
            Moderation.objects.order_by("application__reference").values_list(
                "application__reference",
                "recommendation",
                "recommended_amount",
                "total",
                "rationale",
                "moderated_by",
                "moderated_at",
            )
        ),
        "moderated_scores": list(
            ModeratedScore.objects.order_by("pk").values_list("pk", "criterion_id", "score")
        ),
        "applications": list(
            Application.objects.order_by("reference").values_list("reference", "status")
        ),
        "application_changes": list(
            ApplicationStatusChange.objects.order_by("pk").values_list("pk", flat=True)
        ),
    }


def _assert_as_staff_left_it(state, staff_user):
    assert [row[:6] for row in state["moderations"]] == [
        (
            ref,
            Recommendation.FUND,
            Decimal("2000.00"),
            Decimal("92.00"),
            STAFF_RATIONALE,
            staff_user.pk,
        )
        for ref in ("YV1-0001", "YV1-0002")
    ]
    assert state["applications"] == [
        ("YV1-0001", ApplicationStatus.RECOMMENDED),
        ("YV1-0002", ApplicationStatus.RECOMMENDED),
    ]


MODERATION_WRONG_PEOPLE = [
    # The chair is not conflicted on YV1-0002: it is the chair's (or staff's) to moderate, not
    # the deputy's, nor any other member's.
    *[
        ("YV1-0002", who)
        for who in (
            "member_user",  # the deputy chair
            "third_user",  # a member, not the chair
            "provider_user",
            "ceo_user",
            "pcc_user",
            "anonymous",
            "nobody",
        )
    ],
    # The chair declared a conflict on YV1-0001: the deputy's or staff's, never the chair's.
    *[
        ("YV1-0001", who)
        for who in (
            "chair_user",
            "third_user",
            "provider_user",
            "ceo_user",
            "pcc_user",
            "anonymous",
            "nobody",
        )
    ],
]


@pytest.mark.parametrize(("reference", "who"), MODERATION_WRONG_PEOPLE)
def test_moderation_record_by_the_wrong_person_refused(
    reference, who, actor, moderated, staff_user
):
    before = _moderation_state()

    with pytest.raises(PermissionDenied) as caught:
        _moderate(moderated[reference], actor(who))

    assert str(caught.value) == MODERATION_REFUSED
    assert _moderation_state() == before
    _assert_as_staff_left_it(before, staff_user)


@pytest.mark.parametrize(
    ("conflict", "reference", "who"),
    [
        # Staff who belong to the applicant organisation.
        ("staff_member_of_applicant", "YV1-0002", "staff_user"),
        # A chair who belongs to it, whether or not they declared anything.
        ("chair_member_of_applicant", "YV1-0002", "chair_user"),
        # A deputy conflicted as well as the chair.
        ("deputy_declared", "YV1-0001", "member_user"),
    ],
)
def test_moderation_record_by_someone_conflicted_on_the_application_refused(
    conflict, reference, who, actor, moderated, applicant_org, declare, staff_user
):
    if conflict == "deputy_declared":
        deputy = PanelMember.objects.get(user=actor(who))
        declare(deputy, moderated[reference], conflict=True)
    else:
        MembershipFactory(user=actor(who), organisation=applicant_org)
    before = _moderation_state()

    with pytest.raises(PermissionDenied) as caught:
        _moderate(moderated[reference], actor(who))

    assert str(caught.value) == MODERATION_REFUSED
    assert _moderation_state() == before
    _assert_as_staff_left_it(before, staff_user)


MODERATION_RIGHT_PEOPLE = [
    ("YV1-0002", "chair_user"),
    ("YV1-0002", "staff_user"),
    # The deputy chair takes over where the chair declared a conflict.
    ("YV1-0001", "member_user"),
    ("YV1-0001", "staff_user"),
]


@pytest.mark.parametrize(("reference", "who"), MODERATION_RIGHT_PEOPLE)
def test_moderation_record_by_the_right_person(reference, who, actor, moderated):
    application = moderated[reference]

    _moderate(application, actor(who))

    moderation = Moderation.objects.get(application=application)
    assert (moderation.moderated_by, moderation.recommended_amount, moderation.total) == (
        actor(who),
        Decimal("5000.00"),
        Decimal("92.00"),
    )
    assert list(
        moderation.scores.order_by("criterion__number").values_list("score", flat=True)
    ) == [
        5,
        4,
    ]


def test_moderation_record_by_the_deputy_where_the_chair_belongs_to_the_applicant(
    moderated, applicant_org, chair_user, member_user
):
    """Conflicted by membership, not by a declaration: the deputy takes over all the same."""
    MembershipFactory(user=chair_user, organisation=applicant_org)

    _moderate(moderated["YV1-0002"], member_user)

    assert Moderation.objects.get(application=moderated["YV1-0002"]).moderated_by == member_user
