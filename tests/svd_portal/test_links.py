"""Absolute links: a pattern reversed once gives the addresses reverse() gives."""

import pytest
from django.test import override_settings

from svd_portal.links import absolute_url, absolute_url_of


@override_settings(PORTAL_BASE_URL="https://grants.example.org/")
@pytest.mark.parametrize(
    ("viewname", "argument", "expected"),
    [
        ("grants:award-detail", "EIP23-A-0002", "https://grants.example.org/grants/EIP23-A-0002/"),
        ("decisions:detail", "DN50-24", "https://grants.example.org/decisions/DN50-24/"),
        ("decisions:pdf", "DN50-24", "https://grants.example.org/decisions/DN50-24/pdf/"),
        (
            "grants:round-detail",
            "youth-violence-2025",
            "https://grants.example.org/funding/youth-violence-2025/",
        ),
        # quoted as reverse() quotes it
        ("grants:award-detail", "A B&C?é", "https://grants.example.org/grants/A%20B&C%3F%C3%A9/"),
    ],
)
def test_a_pattern_reversed_once_gives_what_reverse_gives(viewname, argument, expected):
    assert absolute_url_of(viewname)(argument) == expected
    assert absolute_url(viewname, argument) == expected
