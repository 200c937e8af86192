"""How the portal writes times: 5:00pm, as people write them, not Django's 5:00p.m."""

import datetime
import zoneinfo

import pytest
from django.template import Context, Template
from django.utils import timezone

from svd_portal.formatting import date_time

LONDON = zoneinfo.ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("hour", "minute", "expected"),
    [(17, 0, "5:00pm"), (9, 30, "9:30am"), (12, 0, "12:00pm"), (0, 5, "12:05am")],
)
def test_date_time_writes_am_and_pm_without_dots(hour, minute, expected):
    moment = datetime.datetime(2026, 1, 30, hour, minute, tzinfo=LONDON)
    assert date_time(moment, "g:ia") == expected


def test_date_time_keeps_escaped_letters_and_other_format_characters():
    moment = datetime.datetime(2026, 1, 30, 17, 0, tzinfo=LONDON)
    assert date_time(moment, "j F Y \\a\\t g:ia") == "30 January 2026 at 5:00pm"
    assert date_time(moment, "j F Y, g:ia") == "30 January 2026, 5:00pm"


def test_date_time_filter_shows_the_portal_time_zone():
    # 16:00 UTC in summer is 5:00pm in London.
    moment = datetime.datetime(2026, 7, 1, 16, 0, tzinfo=datetime.UTC)
    template = Template('{% load portal %}{{ moment|date_time:"j F Y, g:ia" }}')
    with timezone.override("Europe/London"):
        assert template.render(Context({"moment": moment})) == "1 July 2026, 5:00pm"


def test_no_template_writes_am_or_pm_with_the_date_filter():
    from pathlib import Path

    from django.conf import settings

    for path in Path(settings.BASE_DIR, "templates").rglob("*.*"):
        text = path.read_text(encoding="utf-8")
        for fmt in text.split('|date:"')[1:]:
            format_string = fmt.split('"', 1)[0].replace("\\a", "").replace("\\A", "")
            assert "a" not in format_string and "A" not in format_string, path
