"""The panel and decision factories save rows the database and the models' validation accept."""

import datetime
from decimal import Decimal

import pytest

from decisions.enums import DecisionStatus, Outcome
from grants.enums import (
    ApplicationStatus,
    AssignmentMode,
    Recommendation,
    RoundStatus,
    ScorecardStatus,
)
from grants.models import Score
from partners.enums import MembershipStatus, OrganisationKind, Role
from partners.models import Membership
from tests.factories import (
    ConflictDeclarationFactory,
    DecisionRecordFactory,
    ModerationFactory,
    PanelFactory,
    PanelMemberFactory,
    ScorecardFactory,
)

pytestmark = pytest.mark.django_db


def roles(user):
    return list(user.groups.values_list("name", flat=True))


def test_panel_factory_a_panel_member_chairs_a_round_in_assessment():
    panel = PanelFactory()

    panel.full_clean()
    assert panel.round.status == RoundStatus.ASSESSMENT
    assert panel.round.closes_at < panel.created_at
    assert roles(panel.chair) == [Role.PANEL_MEMBER]
    assert (
        panel.deputy_chair,
        panel.assignment_mode,
        panel.hide_applicant_identity,
        panel.spread_threshold,
    ) == (None, AssignmentMode.ALL, False, Decimal("20"))
    assert not panel.members.exists()


def test_panel_member_factory_represents_a_partner_they_belong_to():
    member = PanelMemberFactory()

    member.full_clean()
    assert roles(member.user) == [Role.PANEL_MEMBER]
    assert member.organisation.kind == OrganisationKind.POLICE
    assert list(Membership.objects.values_list("user", "organisation", "status")) == [
        (member.user.pk, member.organisation.pk, MembershipStatus.ACTIVE)
    ]


def test_panel_member_factory_chair_joins_their_own_panel():
    panel = PanelFactory()

    member = PanelMemberFactory(panel=panel, user=panel.chair)

    member.full_clean()
    assert list(panel.members.values_list("user", flat=True)) == [panel.chair.pk]


def test_conflict_declaration_factory_no_interest_in_an_application_of_the_round():
    declaration = ConflictDeclarationFactory()

    declaration.full_clean()
    assert (
        declaration.has_interest,
        declaration.interest,
        declaration.is_conflict,
        declaration.automatic,
    ) == (False, "", False, False)
    application = declaration.application
    assert application.round == declaration.member.panel.round
    assert (application.status, application.amount_requested) == (
        ApplicationStatus.UNDER_ASSESSMENT,
        Decimal("6000.00"),
    )
    assert application.submitted_at < application.round.closes_at


@pytest.mark.parametrize(
    ("trait", "expected"),
    [
        ("declared_interest", (True, "A trustee of the applicant is a former colleague", False)),
        ("conflict", (True, "Board member of the applicant", True)),
    ],
)
def test_conflict_declaration_factory_traits(trait, expected):
    declaration = ConflictDeclarationFactory(**{trait: True})

    declaration.full_clean()
    assert (declaration.has_interest, declaration.interest, declaration.is_conflict) == expected


def test_scorecard_factory_blank_draft():
    scorecard = ScorecardFactory()

    scorecard.full_clean()
    assert (scorecard.status, scorecard.submitted_at, scorecard.total, scorecard.marks) == (
        ScorecardStatus.DRAFT,
        None,
        None,
        {},
    )
    assert scorecard.application.round == scorecard.member.panel.round
    assert not Score.objects.exists()


def test_scorecard_factory_draft_with_scores():
    scorecard = ScorecardFactory(scores=[3, 2])

    scorecard.full_clean()
    first, second = scorecard.application.round.criteria.order_by("number")
    assert (scorecard.status, scorecard.total) == (ScorecardStatus.DRAFT, None)
    assert scorecard.marks == {str(first.pk): 3, str(second.pk): 2}
    assert list(scorecard.scores.values_list("criterion", "score")) == [
        (first.pk, 3),
        (second.pk, 2),
    ]


@pytest.mark.parametrize(
    ("scores", "marks", "total"),
    [
        # 60 × 4 + 40 × 4 of 60 × 5 + 40 × 5
        ({}, (4, 4), Decimal("80.00")),
        # (60 × 5 + 40 × 3) / 500
        ({"scores": [5, 3]}, (5, 3), Decimal("84.00")),
    ],
)
def test_scorecard_factory_submitted(scores, marks, total):
    scorecard = ScorecardFactory(submitted=True, **scores)

    scorecard.full_clean()
    scorecard.refresh_from_db()
    first, second = scorecard.application.round.criteria.order_by("number")
    assert (scorecard.status, scorecard.total) == (ScorecardStatus.SUBMITTED, total)
    assert scorecard.submitted_at is not None
    assert scorecard.marks == {str(first.pk): marks[0], str(second.pk): marks[1]}
    assert list(scorecard.scores.values_list("criterion", "score")) == [
        (first.pk, marks[0]),
        (second.pk, marks[1]),
    ]


@pytest.mark.parametrize(
    ("traits", "expected"),
    [
        ({}, (Recommendation.FUND, Decimal("4800.00"), Decimal("76.00"))),
        ({"do_not_fund": True}, (Recommendation.DO_NOT_FUND, Decimal("0.00"), Decimal("30.00"))),
    ],
)
def test_moderation_factory(traits, expected):
    moderation = ModerationFactory(**traits)

    moderation.full_clean()
    moderation.refresh_from_db()
    assert (moderation.recommendation, moderation.recommended_amount, moderation.total) == expected
    assert moderation.application.status == ApplicationStatus.UNDER_ASSESSMENT


def decision_fields(record):
    return {
        "reference": record.reference,
        "status": record.status,
        "advice_confirmed": record.advice_confirmed,
        "officer_approval_name": record.officer_approval_name,
        "officer_approved_on": record.officer_approved_on,
        "officer_approved_by": record.officer_approved_by and roles(record.officer_approved_by),
        "outcome": record.outcome,
        "signed_by": record.signed_by and roles(record.signed_by),
        "signed_name": record.signed_name,
        "signed_on": record.signed_on,
        "signed_at": record.signed_at,
        "publication_deferred": record.publication_deferred,
        "deferred_until": record.deferred_until,
        "published_at": record.published_at,
    }


DRAFT = {
    "reference": "",
    "status": DecisionStatus.DRAFT,
    "advice_confirmed": False,
    "officer_approval_name": "",
    "officer_approved_on": None,
    "officer_approved_by": None,
    "outcome": "",
    "signed_by": None,
    "signed_name": "",
    "signed_on": None,
    "signed_at": None,
    "publication_deferred": False,
    "deferred_until": None,
    "published_at": None,
}
AWAITING_APPROVAL = {**DRAFT, "reference": "DN1-24", "status": DecisionStatus.AWAITING_APPROVAL}
AWAITING_SIGNATURE = {
    **AWAITING_APPROVAL,
    "status": DecisionStatus.AWAITING_SIGNATURE,
    "advice_confirmed": True,
    "officer_approval_name": "Helen Carter",
    "officer_approved_on": datetime.date(2024, 3, 20),
    "officer_approved_by": [Role.CHIEF_EXECUTIVE],
}
SIGNATURE = {
    **AWAITING_SIGNATURE,
    "outcome": Outcome.APPROVED,
    "signed_by": [Role.PCC],
    "signed_name": "Morgan Reid",
    "signed_on": datetime.date(2024, 3, 28),
    "signed_at": datetime.datetime(2024, 3, 28, 10, 0, tzinfo=datetime.UTC),
}
SIGNED = {
    **SIGNATURE,
    "status": DecisionStatus.SIGNED,
    "publication_deferred": True,
    "deferred_until": datetime.date(2024, 4, 30),
}
PUBLISHED = {
    **SIGNATURE,
    "status": DecisionStatus.PUBLISHED,
    "published_at": datetime.datetime(2024, 3, 28, 10, 5, tzinfo=datetime.UTC),
}


@pytest.mark.parametrize(
    ("trait", "expected"),
    [
        (None, DRAFT),
        ("awaiting_approval", AWAITING_APPROVAL),
        ("awaiting_signature", AWAITING_SIGNATURE),
        ("signed", SIGNED),
        ("published", PUBLISHED),
    ],
)
def test_decision_record_factory_status_traits(trait, expected):
    DecisionRecordFactory.reset_sequence()

    record = DecisionRecordFactory(**({trait: True} if trait else {}))

    record.full_clean()
    record.refresh_from_db()
    assert decision_fields(record) == expected
    assert (record.title, record.received_on, roles(record.created_by)) == (
        "Knife crime awareness campaign in schools",
        datetime.date(2024, 3, 1),
        [Role.OPCC_STAFF],
    )


def test_decision_record_factory_references_differ():
    first = DecisionRecordFactory(published=True)
    second = DecisionRecordFactory(awaiting_approval=True)

    assert first.reference != second.reference
