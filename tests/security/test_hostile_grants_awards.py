"""Hostile input to the money after the signature: funding streams, a year's allocation,
and withdrawing an award (tests/security/hostile/ says what every post is checked for)."""

import pytest
from django.urls import reverse
from hypothesis import strategies as st

from grants.enums import AwardStatus
from grants.models import Award, FundingStream, StreamAllocation

from .hostile import (
    as_decimal,
    check_form,
    form_data,
    hostile,
    hostile_amount,
    hostile_choice,
    last,
    page_shows,
    stripped,
    valid_amount,
    valid_text,
)

YEARS = ["2024-25", "2025-26"]


@pytest.fixture
def stream(award):
    return award.stream


def stream_fields():
    return {
        "name": valid_text(200),
        "funder": valid_text(200),
        "notes": valid_text(5000, min_size=0),
    }


@hostile(20)
def test_stream_create(db, data, staff_user):
    posted = data.draw(form_data(valid=stream_fields()))

    def created(response, client):
        stream = FundingStream.objects.get()
        assert (stream.name, stream.funder, stream.notes) == (
            stripped(posted, "name"),
            stripped(posted, "funder"),
            stripped(posted, "notes"),
        )
        page_shows(client, response["Location"], stream.name, stream.funder)

    check_form(data, reverse("grants:staff-stream-create"), posted, staff_user, accepted=created)


@hostile(20)
def test_stream_edit(db, data, staff_user, stream):
    posted = data.draw(form_data(valid=stream_fields()))

    def saved(response, client):
        changed = FundingStream.objects.get(pk=stream.pk)
        assert (changed.name, changed.funder) == (
            stripped(posted, "name"),
            stripped(posted, "funder"),
        )
        page_shows(client, response["Location"], changed.name)

    url = reverse("grants:staff-stream-edit", args=[stream.pk])
    check_form(data, url, posted, staff_user, watch=[stream], accepted=saved)


@hostile(25)
def test_allocation_set(db, data, staff_user, stream):
    posted = data.draw(
        form_data(
            valid={
                "financial_year": st.sampled_from(YEARS),
                "labour": valid_amount(0, 900000),
                "non_labour": valid_amount(0, 900000),
            },
            hostile={
                "financial_year": hostile_choice(*YEARS, "2024-2025", "2024-26", "24-25"),
                "labour": hostile_amount(),
                "non_labour": hostile_amount(),
            },
        )
    )

    def allocated(response, client):
        allocation = StreamAllocation.objects.get(stream=stream)
        assert allocation.financial_year == stripped(posted, "financial_year")
        assert allocation.labour == as_decimal(last(posted, "labour"))
        assert allocation.non_labour == as_decimal(last(posted, "non_labour"))
        page_shows(client, response["Location"], allocation.financial_year)

    url = reverse("grants:staff-stream-allocation", args=[stream.pk])
    check_form(data, url, posted, staff_user, watch=[stream], accepted=allocated)


@hostile(20)
def test_award_withdraw(db, data, staff_user, award):
    posted = data.draw(form_data(valid={"reason": valid_text(2000)}))

    def withdrawn(response, client):
        changed = Award.objects.get(pk=award.pk)
        assert changed.status == AwardStatus.WITHDRAWN
        reason = changed.status_changes.get().reason
        assert reason == stripped(posted, "reason")
        page_shows(client, response["Location"], reason)

    url = reverse("grants:award-withdraw", args=[award.reference])
    check_form(data, url, posted, staff_user, watch=[award], accepted=withdrawn)
