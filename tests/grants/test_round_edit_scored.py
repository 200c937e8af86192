"""Editing a round after its applications have been scored: the criteria the scores were given
against stay as they are. Changing them is refused with a message, never a 500; the rest of the
round can still be edited."""

import pytest

from grants.enums import RoundStatus
from grants.models import AssessmentCriterion, FundingRound, Score
from tests.factories import StrategicPriorityFactory
from tests.grants.criteria import page_data

SLUG = "youth-violence-2025"


@pytest.fixture
def scored_round(funding_round, application, member, score):
    """The round back to closed (staff reopened the window, say), with one scorecard on it."""
    score(member, application, [4, 3])
    funding_round.priorities.set([StrategicPriorityFactory()])  # the form asks for one
    FundingRound.objects.filter(pk=funding_round.pk).update(status=RoundStatus.CLOSED)
    return FundingRound.objects.get(pk=funding_round.pk)


def _form_data(response, **changes):
    """The edit form as the page fills it in (criteria included), with `changes`."""
    data = page_data(response)
    data.update(changes)
    return data


def _criteria(funding_round):
    return list(
        AssessmentCriterion.objects.filter(round=funding_round)
        .order_by("number")
        .values_list("pk", "number", "title", "weight", "scale_max")
    )


def test_round_edit_changing_scored_criteria_refused_with_a_message(scored_round, staff_client):
    before = _criteria(scored_round)
    edit = f"/staff/rounds/{SLUG}/edit/"
    data = _form_data(
        staff_client.get(edit),
        title="Renamed",
        **{
            "criteria-0-title": "Need and the local evidence",
            "criteria-0-weight": "50",
            "criteria-0-guidance": "5: local data",
            "criteria-1-title": "Multi-agency delivery",
            "criteria-1-weight": "50",
            "criteria-1-guidance": "5: named partners",
        },
    )

    response = staff_client.post(edit, data)

    assert response.status_code == 200
    assert response.context["form"].errors == {}
    assert response.context["formset"].non_form_errors() == [
        "The assessment criteria cannot change once an application has been scored: "
        "the scores were given against them"
    ]
    assert FundingRound.objects.get(pk=scored_round.pk).title == scored_round.title
    assert _criteria(scored_round) == before
    assert Score.objects.count() == 2


def test_round_edit_with_scored_criteria_unchanged_saves(scored_round, staff_client):
    before = _criteria(scored_round)
    edit = f"/staff/rounds/{SLUG}/edit/"
    data = _form_data(staff_client.get(edit), title="Renamed")

    response = staff_client.post(edit, data)

    assert response.status_code == 302
    assert FundingRound.objects.get(pk=scored_round.pk).title == "Renamed"
    assert _criteria(scored_round) == before
    assert Score.objects.count() == 2
