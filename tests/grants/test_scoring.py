"""grants.scoring: the weighted total, mean and spread, exact to the penny of a percentage."""

from decimal import Decimal

import pytest

from grants.scoring import mean, spread, weighted_total

D = Decimal


def test_weighted_total_two_criteria_exact():
    # (60 × 4 + 40 × 3) / (60 × 5 + 40 × 5) = 360 / 500
    assert str(weighted_total([(D("60"), 4, 5), (D("40"), 3, 5)])) == "72.00"


def test_weighted_total_demo_criteria_exact():
    # The demo round's weights 25, 25, 20, 20, 10: 380 / 500.
    marks = [(D("25"), 4, 5), (D("25"), 4, 5), (D("20"), 3, 5), (D("20"), 4, 5), (D("10"), 4, 5)]
    assert str(weighted_total(marks)) == "76.00"


@pytest.mark.parametrize("zero_score", [0, 3, 5])
def test_weighted_total_weight_zero_criterion_changes_nothing(zero_score):
    marks = [(D("60"), 4, 5), (D("40"), 3, 5)]
    assert weighted_total([*marks, (D("0"), zero_score, 5)]) == weighted_total(marks)
    assert str(weighted_total([*marks, (D("0"), zero_score, 5)])) == "72.00"


def test_weighted_total_weight_zero_criterion_with_other_scale_changes_nothing():
    # A zero weight also keeps its scale maximum out of the denominator.
    assert str(weighted_total([(D("1"), 2, 3), (D("0"), 10, 10)])) == "66.67"


def test_weighted_total_two_thirds_rounds_up():
    # 2 / 3 = 66.666…
    assert str(weighted_total([(D("1"), 2, 3)])) == "66.67"


def test_weighted_total_one_third_rounds_down():
    # 1 / 3 = 33.333…
    assert str(weighted_total([(D("1"), 1, 3)])) == "33.33"


def test_weighted_total_half_rounds_up_not_to_even():
    # 1 × 1 / (1 × 8 + 3 × 8) = 1 / 32 = 3.125 exactly: ROUND_HALF_UP gives 3.13 where
    # banker's rounding (and truncation) would give 3.12.
    assert str(weighted_total([(D("1"), 1, 8), (D("3"), 0, 8)])) == "3.13"


def test_weighted_total_half_of_a_hundredth_rounds_up():
    # 1 × 1 / (1 × 5 + 159 × 5) = 1 / 800 = 0.125 % exactly.
    assert str(weighted_total([(D("1"), 1, 5), (D("159"), 0, 5)])) == "0.13"


def test_weighted_total_one_eighth_exact():
    assert str(weighted_total([(D("1"), 1, 8)])) == "12.50"


def test_weighted_total_decimal_weights_exact():
    # 12.5 × 5 + 87.5 × 2 = 237.5 of 500.
    assert str(weighted_total([(D("12.5"), 5, 5), (D("87.5"), 2, 5)])) == "47.50"


def test_weighted_total_full_marks_is_one_hundred():
    assert str(weighted_total([(D("60"), 5, 5), (D("40"), 5, 5)])) == "100.00"


def test_weighted_total_nothing_scored_is_zero():
    assert str(weighted_total([(D("60"), 0, 5), (D("40"), 0, 5)])) == "0.00"


def test_weighted_total_all_weights_zero_raises():
    with pytest.raises(ValueError, match="Every criterion has weight zero"):
        weighted_total([(D("0"), 4, 5), (D("0"), 3, 5)])


def test_weighted_total_no_criteria_raises():
    with pytest.raises(ValueError, match="Every criterion has weight zero"):
        weighted_total([])


def test_mean_empty_is_none():
    assert mean([]) is None


def test_mean_three_totals_exact():
    # 188.67 / 3 = 62.89
    assert str(mean([D("72.00"), D("66.67"), D("50.00")])) == "62.89"


def test_mean_half_rounds_up():
    # 133.33 / 2 = 66.665 exactly
    assert str(mean([D("66.67"), D("66.66")])) == "66.67"


def test_mean_one_total_is_that_total():
    assert str(mean([D("72.00")])) == "72.00"


def test_spread_empty_is_none():
    assert spread([]) is None


def test_spread_is_highest_less_lowest():
    assert str(spread([D("72.00"), D("50.00"), D("66.67")])) == "22.00"


def test_spread_one_total_is_zero():
    assert str(spread([D("66.67")])) == "0.00"
