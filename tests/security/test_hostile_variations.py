"""Hostile input to variations: the proposal, staff's decision, withdrawing one, moving
underspend to another award and drafting the PCC's decision on one (tests/security/hostile/
says what every post is checked for)."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from hypothesis import strategies as st

from decisions.models import DecisionRecord
from grants import services as grant_services
from grants.enums import VariationStatus
from grants.models import Award, FundingStream, Variation
from tests.factories.partners import member_of_new_organisation
from tests.grants import awarding

from .hostile import (
    PAYLOADS,
    as_decimal,
    check_form,
    form_data,
    hostile,
    hostile_amount,
    hostile_choice,
    hostile_date,
    last,
    page_shows,
    stripped,
    valid_amount,
    valid_text,
)


@pytest.fixture
def running(pcc_user, staff_user, provider, provider_org, open_round, award_files):
    """An active £3,000 award on a stream, its title and budget line named with markup;
    the provider its signatory."""
    award = awarding.running_award(
        funding_round=open_round,
        organisation=provider_org,
        created_by=pcc_user,
        holder=provider,
        staff=staff_user,
        reference="OPN-A-0002",
        title=f"Boxing {PAYLOADS[2]}",
        budget_item=f"Coach {PAYLOADS[3]}",
    )
    stream = FundingStream.objects.create(name=f"Stream {PAYLOADS[0]}", funder="Home Office")
    Award.objects.filter(pk=award.pk).update(stream=stream)
    return Award.objects.get(pk=award.pk)


def later_end(award) -> datetime.date:
    return award.delivery_ends_on + datetime.timedelta(days=92)


@pytest.fixture
def proposed(running, provider):
    return grant_services.variation_propose(
        award=running,
        by=provider,
        reason=f"Hall closed {PAYLOADS[1]}",
        new_ends_on=later_end(running),
    )


@hostile(25)
def test_variation_create(db, data, provider, running):
    year = running.splits.get().financial_year
    line = running.application.budget_lines.get()
    targets = list(running.targets.all())
    posted = data.draw(
        form_data(
            valid={
                "reason": valid_text(4000),
                "amount_change": st.sampled_from(["-500", "250.50", "\u2212100", "+50"]),
                "change_year": year,
                "change_kind": "labour",
                "new_ends_on": st.sampled_from(["", later_end(running).isoformat()]),
                **{f"target_{t.pk}": str(t.target) for t in targets},
                f"budget_{line.pk}": st.sampled_from([str(line.amount), "1999.99"]),
            },
            hostile={
                "amount_change": hostile_amount(),
                "change_year": hostile_choice(year, "2019-20"),
                "change_kind": hostile_choice("labour", "non_labour"),
                "new_ends_on": hostile_date(),
                f"budget_{line.pk}": hostile_amount(),
            },
        )
    )

    def proposed_it(response, client):
        variation = Variation.objects.get(award=running)
        assert variation.reason == stripped(posted, "reason")
        assert variation.proposed_by == provider
        page_shows(client, response["Location"], variation.reason)

    url = reverse("grants:variation-create", args=[running.reference])
    check_form(data, url, posted, provider, watch=[running], accepted=proposed_it)


@hostile(15)
def test_variation_decide(db, data, staff_user, proposed):
    posted = data.draw(
        form_data(
            valid={
                "decision": st.sampled_from(["approve", "refuse"]),
                "note": valid_text(4000),
            },
            hostile={"decision": hostile_choice("approve", "refuse")},
        )
    )

    def decided(response, client):
        variation = Variation.objects.get(pk=proposed.pk)
        approve = last(posted, "decision") == "approve"
        assert variation.status == (
            VariationStatus.APPROVED if approve else VariationStatus.REFUSED
        )
        assert variation.decision_note == stripped(posted, "note")
        page_shows(client, response["Location"], variation.decision_note)

    url = reverse("grants:variation-decide", args=[proposed.award.reference, proposed.number])
    check_form(data, url, posted, staff_user, watch=[proposed], accepted=decided)


@hostile(8)
def test_variation_withdraw(db, data, provider, proposed):
    posted = data.draw(form_data(valid={}, hostile={}))
    url = reverse("grants:variation-withdraw", args=[proposed.award.reference, proposed.number])
    check_form(data, url, posted, provider, watch=[proposed])


@pytest.fixture
def second(running, open_round, pcc_user, staff_user):
    """Another active award of the same stream, to another organisation."""
    holder = member_of_new_organisation(f"Boxing {PAYLOADS[4]}", email="boxing@example.org")
    award = awarding.running_award(
        funding_round=open_round,
        organisation=holder.memberships.get().organisation,
        created_by=pcc_user,
        holder=holder,
        staff=staff_user,
        reference="OPN-A-0003",
        title=f"Mentoring {PAYLOADS[5]}",
    )
    Award.objects.filter(pk=award.pk).update(stream=running.stream)
    return Award.objects.get(pk=award.pk)


@hostile(20)
def test_award_reallocate(db, data, staff_user, running, second):
    year = running.splits.get().financial_year
    posted = data.draw(
        form_data(
            valid={
                "to_award": second.reference,
                "amount": valid_amount(1, 500),
                "financial_year": year,
                "cost_kind": "labour",
                "reason": valid_text(4000),
            },
            hostile={
                "to_award": hostile_choice(second.reference, running.reference),
                "amount": hostile_amount(),
                "financial_year": hostile_choice(year),
                "cost_kind": hostile_choice("labour", "non_labour"),
            },
        )
    )

    def moved(response, client):
        taken = Variation.objects.get(award=running)
        given = Variation.objects.get(award=second)
        amount = as_decimal(last(posted, "amount"))
        assert (taken.amount_change, given.amount_change) == (-amount, amount)
        assert taken.paired_with_id == given.pk
        page_shows(client, response["Location"], taken.reason)

    url = reverse("grants:award-reallocate", args=[running.reference])
    check_form(data, url, posted, staff_user, watch=[running, second], accepted=moved)


@hostile(8)
def test_record_from_variation(db, data, settings, staff_user, running, provider):
    settings.VARIATION_PCC_THRESHOLD = Decimal("100.00")
    variation = grant_services.variation_propose(
        award=running,
        by=provider,
        reason=f"More sessions {PAYLOADS[0]}",
        amount_change=Decimal("500.00"),
        change_year=running.splits.get().financial_year,
        change_kind="labour",
    )
    posted = data.draw(form_data(valid={}, hostile={}))

    def drafted(response, client):
        record = DecisionRecord.objects.get(variation=variation)
        assert Variation.objects.get(pk=variation.pk).status == VariationStatus.AWAITING_DECISION
        assert response["Location"] == reverse("decisions:staff-detail", args=[record.pk])

    url = reverse("decisions:staff-from-variation", args=[running.reference, variation.number])
    check_form(data, url, posted, staff_user, watch=[variation], accepted=drafted)
