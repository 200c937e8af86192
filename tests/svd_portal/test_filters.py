"""The filter forms' shared layout."""

import pytest

from svd_portal.filters import grid_row


def test_grid_row_puts_each_filter_in_a_column_of_its_width():
    row = grid_row("q", "year", widths=["one-half", "one-quarter"])

    assert row.css_class == "govuk-grid-row"
    assert [(column.fields, column.css_class) for column in row.fields] == [
        (["q"], "govuk-grid-column-one-half"),
        (["year"], "govuk-grid-column-one-quarter"),
    ]


def test_grid_row_without_widths_gives_each_a_third():
    row = grid_row("q", "status")

    assert [column.css_class for column in row.fields] == ["govuk-grid-column-one-third"] * 2


def test_grid_row_refuses_widths_that_do_not_match_the_filters():
    with pytest.raises(ValueError):
        grid_row("q", "status", widths=["one-half"])
