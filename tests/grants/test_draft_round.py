"""A draft round is not there for anyone under /panel/: its pages answer exactly as a round
that does not exist, so a slug cannot be probed. Staff still set its panel up under /staff/."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from grants import services
from grants.enums import RoundStatus

from .conftest import CAPS, CRITERIA

DRAFT = "next-years-round"
MISSING = "no-such-round"
PANEL_PAGES = [
    ("panel-round", ()),
    ("panel-ranking", ()),
    ("panel-report", ()),
    ("panel-report-export", ("csv",)),
    ("panel-declare", ("NX1-0001",)),
    ("panel-score", ("NX1-0001",)),
    ("panel-moderate", ("NX1-0001",)),
    ("panel-scorecard-reopen", (1,)),
]


@pytest.fixture
def draft_round(staff_user, make_panel, chair_user, member_user):
    """A round staff are still setting up, with its panel already named."""
    now = timezone.now()
    funding_round = services.round_save(
        funding_round=None,
        by=staff_user,
        fields={
            "slug": DRAFT,
            "fund_name": "Violence Prevention Fund",
            "title": "Next year's grants",
            "reference_prefix": "NX1",
            "description": "Not announced yet.",
            "eligibility": "Verified voluntary and community organisations.",
            "how_to_apply": "Apply on this page.",
            "budget": 10000,
            "opens_at": now + datetime.timedelta(days=30),
            "closes_at": now + datetime.timedelta(days=60),
            "delivery_starts_on": now.date() + datetime.timedelta(days=90),
            "delivery_ends_on": now.date() + datetime.timedelta(days=455),
        },
        priorities=[],
        caps=CAPS,
        criteria=CRITERIA,
    )
    make_panel(funding_round, chair_user, [chair_user, member_user])
    assert funding_round.status == RoundStatus.DRAFT
    return funding_round


def _page(response) -> str:
    """The page, less the CSRF token, which is masked afresh in every response."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def _url(name, slug, args):
    return reverse(f"grants:{name}", args=[slug, *args])


@pytest.mark.parametrize(("name", "args"), PANEL_PAGES)
@pytest.mark.parametrize("who", ["member_user", "chair_user", "staff_user", "anonymous"])
def test_panel_page_of_a_draft_round_is_the_404_of_a_missing_round(
    who, name, args, draft_round, client_as, client, request
):
    browser = client if who == "anonymous" else client_as(request.getfixturevalue(who))
    for method in ("get", "post"):
        draft = getattr(browser, method)(_url(name, DRAFT, args))
        missing = getattr(browser, method)(_url(name, MISSING, args))

        assert (draft.status_code, _page(draft)) == (404, _page(missing)), (method, name)
        assert missing.status_code == 404


def test_staff_set_up_the_panel_of_a_draft_round(draft_round, client_as, staff_user):
    response = client_as(staff_user).get(reverse("grants:panel-setup", args=[DRAFT]))

    assert response.status_code == 200
    assert response.context["round"] == draft_round
