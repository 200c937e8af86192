"""grants.services.panels: moderation_record, the chair's scores, recommendation and the
budget it must fit."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from grants import services
from grants.enums import (
    ApplicationStatus,
    Recommendation,
)
from grants.models import (
    Moderation,
)
from partners.enums import OrganisationKind
from tests.factories import OrganisationFactory

# --- moderation_record --------------------------------------------------------------------


def status_changes(application):
    return [
        (c.from_status, c.to_status, c.reason, c.changed_by_id)
        for c in application.status_changes.order_by("pk")
    ]


def test_moderation_record_fund_moves_to_recommended(panel, application, chair_user, moderate):
    moderation = moderate(application, Decimal("6000"))
    moderation.refresh_from_db()
    assert moderation.recommendation == Recommendation.FUND
    assert moderation.recommended_amount == Decimal("6000.00")
    assert str(moderation.total) == "72.00"
    assert moderation.moderated_by == chair_user
    assert moderation.rationale == "Strong referral routes from the youth justice service."
    assert [(s.criterion.number, s.score) for s in moderation.scores.all()] == [(1, 4), (2, 3)]
    application.refresh_from_db()
    assert application.status == ApplicationStatus.RECOMMENDED
    assert status_changes(application) == [
        ("under_assessment", "recommended", "Panel moderation: fund", chair_user.pk)
    ]


def test_moderation_record_do_not_fund_forces_zero(panel, application, chair_user, moderate):
    moderation = moderate(
        application, Decimal("3000"), recommendation=Recommendation.DO_NOT_FUND, scores=(1, 1)
    )
    moderation.refresh_from_db()
    assert moderation.recommended_amount == Decimal("0")
    assert str(moderation.total) == "20.00"
    application.refresh_from_db()
    assert application.status == ApplicationStatus.NOT_RECOMMENDED
    assert status_changes(application) == [
        ("under_assessment", "not_recommended", "Panel moderation: do not fund", chair_user.pk)
    ]


def test_moderation_record_with_conditions_keeps_them(panel, application, moderate):
    moderation = moderate(
        application,
        Decimal("5000"),
        recommendation=Recommendation.FUND_WITH_CONDITIONS,
        conditions="  Complete safeguarding training first  ",
    )
    moderation.refresh_from_db()
    assert moderation.conditions == "Complete safeguarding training first"
    application.refresh_from_db()
    assert application.status == ApplicationStatus.RECOMMENDED


def test_moderation_record_with_conditions_but_none_given_refused(panel, application, moderate):
    with pytest.raises(ValidationError) as caught:
        moderate(application, Decimal("5000"), recommendation=Recommendation.FUND_WITH_CONDITIONS)
    assert caught.value.message_dict == {"conditions": ["Give the conditions"]}


def test_moderation_record_missing_consensus_score_refused(panel, application, criteria, moderate):
    with pytest.raises(ValidationError) as caught:
        moderate(application, Decimal("5000"), scores=(4, None))
    assert caught.value.message_dict == {
        f"score_{criteria[1].pk}": ["Give a consensus score for Multi-agency delivery from 0 to 5"]
    }


def test_moderation_record_amount_above_request_refused(panel, application, moderate):
    with pytest.raises(ValidationError) as caught:
        moderate(application, Decimal("6000.01"))
    assert caught.value.message_dict == {
        "recommended_amount": ["The amount recommended cannot be more than the £6,000 requested"]
    }
    application.refresh_from_db()
    assert application.status == ApplicationStatus.UNDER_ASSESSMENT
    assert not Moderation.objects.exists()


def test_moderation_record_amount_above_cap_refused(panel, make_application, moderate):
    community_group = OrganisationFactory(
        name="Seaham Street Sport", kind=OrganisationKind.COMMUNITY_GROUP
    )
    application = make_application(amount=Decimal("6000"), organisation=community_group)
    with pytest.raises(ValidationError) as caught:
        moderate(application, Decimal("5500"))
    assert caught.value.message_dict == {
        "recommended_amount": ["The amount recommended cannot be more than the cap of £5,000"]
    }
    assert not Moderation.objects.exists()


def test_moderation_record_over_remaining_budget_refused(
    panel, application, second_application, moderate
):
    moderate(application, Decimal("6000"))
    with pytest.raises(ValidationError) as caught:
        moderate(second_application, Decimal("6000"))
    assert caught.value.message_dict == {
        "recommended_amount": [
            "Only £4,000 of the £10,000 budget is left to recommend; this asks for £6,000"
        ]
    }
    second_application.refresh_from_db()
    assert second_application.status == ApplicationStatus.UNDER_ASSESSMENT
    assert list(Moderation.objects.values_list("application", "recommended_amount")) == [
        (application.pk, Decimal("6000.00"))
    ]


def test_moderation_record_exactly_the_remaining_budget_accepted(
    panel, application, second_application, moderate
):
    moderate(application, Decimal("6000"))
    moderate(second_application, Decimal("4000"))
    assert sorted(Moderation.objects.values_list("recommended_amount", flat=True)) == [
        Decimal("4000.00"),
        Decimal("6000.00"),
    ]


def test_moderation_record_again_replaces_the_amount(
    panel, application, second_application, chair_user, moderate
):
    moderate(application, Decimal("6000"))
    moderate(application, Decimal("5000"), scores=(3, 3))
    # 5,000 + 5,000 fits the budget only if the first 6,000 was replaced, not added to.
    moderate(second_application, Decimal("5000"))
    assert sorted(Moderation.objects.values_list("application", "recommended_amount")) == [
        (application.pk, Decimal("5000.00")),
        (second_application.pk, Decimal("5000.00")),
    ]
    moderation = Moderation.objects.get(application=application)
    assert str(moderation.total) == "60.00"
    assert [s.score for s in moderation.scores.all()] == [3, 3]
    application.refresh_from_db()
    assert status_changes(application) == [
        ("under_assessment", "recommended", "Panel moderation: fund", chair_user.pk)
    ]


def test_moderation_record_again_over_what_others_leave_refused(
    panel, application, second_application, moderate
):
    moderate(application, Decimal("6000"))
    moderate(second_application, Decimal("4000"))
    with pytest.raises(ValidationError) as caught:
        moderate(second_application, Decimal("4500"))
    assert caught.value.message_dict == {
        "recommended_amount": [
            "Only £4,000 of the £10,000 budget is left to recommend; this asks for £4,500"
        ]
    }
    assert Moderation.objects.get(application=second_application).recommended_amount == Decimal(
        "4000.00"
    )


def test_moderation_record_do_not_fund_frees_the_budget(
    panel, application, second_application, chair_user, moderate
):
    moderate(application, Decimal("6000"))
    moderate(application, None, recommendation=Recommendation.DO_NOT_FUND)
    moderate(second_application, Decimal("6000"))
    application.refresh_from_db()
    assert application.status == ApplicationStatus.NOT_RECOMMENDED
    assert status_changes(application) == [
        ("under_assessment", "recommended", "Panel moderation: fund", chair_user.pk),
        ("recommended", "not_recommended", "Panel moderation: do not fund", chair_user.pk),
    ]


def test_moderation_record_withdrawn_application_frees_the_budget(
    panel, application, second_application, staff_user, moderate
):
    moderate(application, Decimal("6000"))
    services.application_move(
        application=application, to_status=ApplicationStatus.WITHDRAWN, by=staff_user
    )
    moderate(second_application, Decimal("6000"))
    second_application.refresh_from_db()
    assert second_application.status == ApplicationStatus.RECOMMENDED


def test_moderation_record_not_in_assessment_refused(panel, make_application, moderate):
    submitted = make_application(status=ApplicationStatus.SUBMITTED)
    with pytest.raises(ValidationError) as caught:
        moderate(submitted, Decimal("6000"), scored=False)
    assert caught.value.messages == ["An application that is submitted cannot be moderated"]


def test_moderation_record_without_panel_refused(application, moderate):
    with pytest.raises(ValidationError) as caught:
        moderate(application, Decimal("6000"), scored=False)
    assert caught.value.messages == ["This round has no panel"]


def test_moderation_record_conflicted_chair_refused(chair, application, declare, moderate):
    declare(chair, application, conflict=True)
    with pytest.raises(PermissionDenied) as caught:
        moderate(application, Decimal("6000"))
    assert str(caught.value) == (
        "Only the panel's chair, its deputy where the chair declared a conflict, or OPCC "
        "staff can record moderation, and never someone conflicted on the application"
    )
    assert not Moderation.objects.exists()


def test_moderation_record_by_member_not_chair_refused(panel, application, member_user, moderate):
    with pytest.raises(PermissionDenied):
        moderate(application, Decimal("6000"), by=member_user)
    assert not Moderation.objects.exists()


def test_moderation_record_by_staff_accepted(panel, application, staff_user, moderate):
    moderation = moderate(application, Decimal("6000"), by=staff_user)
    assert moderation.moderated_by == staff_user


def test_member_may_score_unscorable_status_false(member, make_application):
    withdrawn = make_application(status=ApplicationStatus.WITHDRAWN)
    assert services.member_may_score(member, withdrawn) is False
