"""A round's assessment criteria are edited as a formset: one fieldset per criterion,
blank ones to add more, a box to remove one, and each row's errors linked from the summary."""

from decimal import Decimal

import pytest
from django.utils.html import escape

from grants.models import AssessmentCriterion, FundingRound
from tests.grants.criteria import criteria_data, page_data, round_data

CREATE = "/staff/rounds/new/"
EDIT = "/staff/rounds/summer-grants/edit/"

THREE = [
    {"title": "Evidence base", "guidance": "5: a toolkit strand", "weight": "40", "scale_max": "5"},
    {"title": "Partners", "guidance": "5: named partners", "weight": "30", "scale_max": "5"},
    {"title": "Value for money", "guidance": "10: costed", "weight": "30", "scale_max": "10"},
]


def _rows():
    return list(
        AssessmentCriterion.objects.filter(round__slug="summer-grants")
        .order_by("number")
        .values_list("number", "title", "guidance", "weight", "scale_max")
    )


def _summary_link(response, anchor: str, message: str) -> bool:
    return f'<a href="#{anchor}">{escape(message)}</a>' in response.content.decode()


@pytest.fixture
def three_criteria(staff_client, priorities):
    response = staff_client.post(CREATE, round_data(priorities, THREE))
    assert response.status_code == 302
    return FundingRound.objects.get(slug="summer-grants")


def test_criteria_create_saves_each_row_numbered_in_order(three_criteria):
    assert _rows() == [
        (1, "Evidence base", "5: a toolkit strand", Decimal("40.00"), 5),
        (2, "Partners", "5: named partners", Decimal("30.00"), 5),
        (3, "Value for money", "10: costed", Decimal("30.00"), 10),
    ]


def test_criteria_edit_one_delete_one_add_one_round_trips(three_criteria, staff_client):
    page = staff_client.get(EDIT)
    data = page_data(page)
    # Three criteria and two blank ones to add more.
    assert data["criteria-TOTAL_FORMS"] == 5
    assert data["criteria-INITIAL_FORMS"] == 3
    data["criteria-0-title"] = "Evidence base and need"
    data["criteria-1-DELETE"] = "on"
    data.update(
        {
            "criteria-3-title": "Safeguarding",
            "criteria-3-guidance": "5: a policy in use",
            "criteria-3-weight": "12.5",
            "criteria-3-scale_max": "5",
        }
    )

    response = staff_client.post(EDIT, data)

    assert response.status_code == 302
    assert _rows() == [
        (1, "Evidence base and need", "5: a toolkit strand", Decimal("40.00"), 5),
        (2, "Value for money", "10: costed", Decimal("30.00"), 10),
        (3, "Safeguarding", "5: a policy in use", Decimal("12.50"), 5),
    ]


def test_criteria_edit_saved_unchanged_keeps_the_rows(three_criteria, staff_client):
    before = list(AssessmentCriterion.objects.order_by("number").values_list("pk", flat=True))

    response = staff_client.post(EDIT, page_data(staff_client.get(EDIT)))

    assert response.status_code == 302
    after = list(AssessmentCriterion.objects.order_by("number").values_list("pk", flat=True))
    assert after == before


def test_criteria_page_one_fieldset_per_criterion_with_a_legend(three_criteria, staff_client):
    page = staff_client.get(EDIT).content.decode()

    for number in range(1, 6):
        assert f"Criterion {number}\n" in page or f"Criterion {number}<" in page
    assert "Criterion 6" not in page
    # The three saved criteria can be removed; the blank ones have nothing to remove.
    assert page.count("Remove this criterion") == 3
    assert 'name="criteria-2-DELETE"' in page
    assert 'name="criteria-3-DELETE"' not in page


def test_criteria_bad_weight_linked_from_the_summary(staff_client, priorities):
    rows = [dict(row) for row in THREE]
    rows[1]["weight"] = "12.345"

    response = staff_client.post(CREATE, round_data(priorities, rows))

    assert response.status_code == 200
    formset = response.context["formset"]
    assert formset.errors[1] == {
        "weight": ["The weight must be 0 to 999 with at most 2 decimal places"]
    }
    assert _summary_link(
        response,
        "id_criteria-1-weight",
        "Criterion 2: The weight must be 0 to 999 with at most 2 decimal places",
    )
    assert response.content.decode().count("<title>Error: ") == 1
    assert FundingRound.objects.count() == 0


@pytest.mark.parametrize("weight", ["NaN", "-1", "1000", "0.001", "1e-999999", "x"])
def test_criteria_weight_outside_the_rules_refused(staff_client, priorities, weight):
    rows = [dict(THREE[0], weight=weight)]

    response = staff_client.post(CREATE, round_data(priorities, rows))

    assert response.status_code == 200
    assert response.context["formset"].errors[0] == {
        "weight": ["The weight must be 0 to 999 with at most 2 decimal places"]
    }
    assert FundingRound.objects.count() == 0


def test_criteria_missing_title_and_scale_linked_from_the_summary(staff_client, priorities):
    rows = [dict(THREE[0], title=""), dict(THREE[1], scale_max="101")]

    response = staff_client.post(CREATE, round_data(priorities, rows))

    assert response.status_code == 200
    assert response.context["formset"].errors == [
        {"title": ["Enter the criterion's title"]},
        {"scale_max": ["The highest score must be 1 to 100"]},
    ]
    assert _summary_link(
        response, "id_criteria-0-title", "Criterion 1: Enter the criterion's title"
    )
    assert _summary_link(
        response, "id_criteria-1-scale_max", "Criterion 2: The highest score must be 1 to 100"
    )
    assert FundingRound.objects.count() == 0


def test_criteria_all_weights_zero_refused_with_the_service_message(staff_client, priorities):
    rows = [dict(THREE[0], weight="0"), dict(THREE[1], weight="0")]

    response = staff_client.post(CREATE, round_data(priorities, rows))

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "At least one criterion needs a weight above zero"
    ]
    assert FundingRound.objects.count() == 0


def test_criteria_every_one_removed_refused(three_criteria, staff_client):
    data = page_data(staff_client.get(EDIT))
    for index in range(3):
        data[f"criteria-{index}-DELETE"] = "on"

    response = staff_client.post(EDIT, data)

    assert response.status_code == 200
    assert response.context["formset"].non_form_errors() == ["Give at least one criterion"]
    assert _summary_link(response, "criteria", "Give at least one criterion")
    assert len(_rows()) == 3


def test_criteria_total_forms_tampered_refused_without_a_crash(staff_client, priorities):
    data = round_data(priorities, THREE)
    data["criteria-TOTAL_FORMS"] = "1000"

    response = staff_client.post(CREATE, data)

    assert response.status_code == 200
    assert response.context["formset"].non_form_errors() == ["Give no more than 20 criteria"]
    assert _summary_link(response, "criteria", "Give no more than 20 criteria")
    # No more forms are built than the formset allows, whatever the count says.
    assert len(response.context["formset"].forms) == 25
    assert FundingRound.objects.count() == 0


@pytest.mark.parametrize("missing", ["criteria-TOTAL_FORMS", "criteria-INITIAL_FORMS"])
def test_criteria_management_form_missing_refused_without_a_crash(
    staff_client, priorities, missing
):
    data = round_data(priorities, THREE)
    del data[missing]

    response = staff_client.post(CREATE, data)

    assert response.status_code == 200
    message = "The criteria could not be read: reload the page and enter them again"
    assert response.context["formset"].non_form_errors() == [message]
    assert _summary_link(response, "criteria", message)
    # The criteria are offered afresh, ready to be entered again.
    assert 'name="criteria-TOTAL_FORMS" value="3"' in response.content.decode()
    assert 'name="criteria-0-title"' in response.content.decode()
    assert "This field is required." not in response.content.decode()
    assert FundingRound.objects.count() == 0


def test_criteria_total_forms_not_a_number_refused_without_a_crash(staff_client, priorities):
    data = round_data(priorities, THREE)
    data.update(criteria_data(THREE, total="many"))

    response = staff_client.post(CREATE, data)

    assert response.status_code == 200
    assert FundingRound.objects.count() == 0


def test_add_criterion_shows_the_form_again_with_one_more_and_saves_nothing(
    staff_client, priorities
):
    data = round_data(priorities, [THREE[0], dict(THREE[1], DELETE="on"), THREE[2]])
    data["title"] = "Summer grants <b>2030</b>"
    data["add_criterion"] = "1"

    response = staff_client.post(CREATE, data)

    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" not in page
    assert "<title>Error: " not in page
    form, formset = response.context["form"], response.context["formset"]
    assert form["title"].value() == "Summer grants <b>2030</b>"
    assert [p.pk for p in priorities] == [int(pk) for pk in form["priorities"].value()]
    # The removed criterion is gone, the others are kept, and one blank one is added.
    assert [f["title"].value() for f in formset] == ["Evidence base", "Value for money", None]
    assert "Criterion 3" in page and "Criterion 4" not in page
    assert FundingRound.objects.count() == 0


def test_add_criterion_then_save_keeps_every_row(staff_client, priorities):
    data = round_data(priorities, THREE)
    data["add_criterion"] = "1"
    page = staff_client.post(CREATE, data)
    data = page_data(page)
    data.update(
        {
            "criteria-3-title": "Safeguarding",
            "criteria-3-guidance": "",
            "criteria-3-weight": "10",
            "criteria-3-scale_max": "5",
        }
    )

    response = staff_client.post(CREATE, data)

    assert response.status_code == 302
    assert [(n, t, w) for n, t, _, w, _ in _rows()] == [
        (1, "Evidence base", Decimal("40.00")),
        (2, "Partners", Decimal("30.00")),
        (3, "Value for money", Decimal("30.00")),
        (4, "Safeguarding", Decimal("10.00")),
    ]


def test_add_criterion_with_a_tampered_count_does_not_crash(staff_client, priorities):
    data = round_data(priorities, THREE, **{"criteria-TOTAL_FORMS": "x", "add_criterion": "1"})

    response = staff_client.post(CREATE, data)

    assert response.status_code == 200
    assert len(response.context["formset"].forms) == 2
    assert FundingRound.objects.count() == 0
