"""Hostile input to the grants register: what staff say of a grant on it, and the query
strings of the public list (tests/security/hostile/ says what every post is checked for)."""

import datetime

import pytest
from django.urls import reverse
from hypothesis import strategies as st

from grants.enums import AwardStatus
from grants.models import Award
from partners.models import Area

from .hostile import (
    PAYLOADS,
    check_form,
    check_get,
    form_data,
    hostile,
    hostile_choice,
    hostile_choices,
    page_shows,
    stripped,
    valid_text,
)
from .test_hostile_queries import query


@pytest.fixture
def areas(db, award):
    partnership = award.round.priorities.first().partnership
    return [
        Area.objects.create(partnership=partnership, name=f"Area {PAYLOADS[0]}"),
        Area.objects.create(
            partnership=partnership, name="Darlington", geo_code="E06000005", geo_code_type="UA"
        ),
    ]


@hostile(20)
def test_award_register(db, data, staff_user, award, areas):
    pks = [area.pk for area in areas]
    posted = data.draw(
        form_data(
            valid={
                "rationale": valid_text(4000),
                "areas": st.lists(st.sampled_from(pks), unique=True).map(
                    lambda chosen: [str(pk) for pk in chosen]
                ),
            },
            hostile={"areas": hostile_choices(*pks)},
        )
    )

    def saved(response, client):
        changed = Award.objects.get(pk=award.pk)
        assert changed.rationale == stripped(posted, "rationale")
        page_shows(client, response["Location"], changed.rationale)

    url = reverse("grants:award-register", args=[award.reference])
    check_form(data, url, posted, staff_user, watch=[award], accepted=saved)


@hostile(20)
def test_grants_register(db, data, client, award, areas):
    priorities = list(award.round.priorities.all())
    Award.objects.filter(pk=award.pk).update(
        status=AwardStatus.ACTIVE, decision_published_on=datetime.date(2024, 3, 20)
    )
    award.areas.set(areas)
    params = data.draw(
        query(
            q=st.sampled_from(["", "sport", award.reference]),
            year=hostile_choice("2024-25", "2023-24"),
            priority=hostile_choice(*(p.pk for p in priorities)),
            area=hostile_choice(*(a.pk for a in areas)),
        )
    )
    check_get(client, reverse("grants:register"), params)
