"""Hostile query strings on the search and filter pages: never a 500, escaped, and nothing
written; and the filters that were once a 500, now told on the page.
"""

from django.urls import reverse
from django.utils import timezone
from hypothesis import strategies as st

from decisions.enums import DecisionStatus
from grants.enums import ApplicationStatus, AwardStatus
from partners.enums import VerificationStatus
from tests.decisions import conftest as decisions
from tests.filtering import summary_links

from .hostile import (
    PAYLOADS,
    check_get,
    form_data,
    hostile,
    hostile_amount,
    hostile_choice,
    hostile_date,
    hostile_text,
)

# Autouse, here only: Section B reports in tmp_path (other security tests check the real storage).
section_b_storage = decisions.section_b_storage


def query(**valid):
    """A query string: the page's own parameters, valid or hostile, duplicated or missing."""
    return form_data(
        valid=valid,
        hostile={
            **dict.fromkeys(valid, hostile_text(300)),
            "page": hostile_choice(1, 2, 0, -1, 10**20),
        },
    )


@hostile(25)
def test_register_search(db, data, client, record_in):
    record_in(DecisionStatus.PUBLISHED, title=f"Published {PAYLOADS[0]}")
    params = data.draw(
        query(
            q=st.sampled_from(["", "campaign", "DN1-24"]), year=hostile_choice(timezone.now().year)
        )
    )
    check_get(client, reverse("decisions:register"), params)


@hostile(10)
def test_register_feed(db, data, client, record_in):
    record_in(DecisionStatus.PUBLISHED, title=f"Published {PAYLOADS[0]}")
    check_get(client, reverse("decisions:feed"), data.draw(query(q="")))


@hostile(10)
def test_funding_list(db, data, client, open_round):
    check_get(client, reverse("grants:rounds"), data.draw(query(q="", status="open")))


@hostile(80)
def test_staff_application_list(db, data, staff_client, draft):
    priorities = draft.round.priorities.values_list("pk", flat=True)
    params = data.draw(
        form_data(
            valid={
                "q": "",
                "status": "",
                "priority": "",
                "category": "",
                "min_amount": "",
                "max_amount": "",
            },
            hostile={
                "q": hostile_text(300),
                "status": hostile_choice(*ApplicationStatus.values),
                "priority": hostile_choice(*priorities),
                "category": hostile_choice("registered", "unregistered"),
                "min_amount": hostile_amount(),
                "max_amount": hostile_amount(),
                "page": hostile_choice(1, 2, 10**20),
            },
            most=7,  # every parameter is read on its own: attack any number at once
        )
    )
    where = data.draw(st.sampled_from(["page", "csv", "xlsx"]))
    if where == "page":
        url = reverse("grants:staff-round-applications", args=[draft.round.slug])
    else:
        url = reverse("grants:staff-round-export", args=[draft.round.slug, where])
    check_get(staff_client, url, params)


@hostile(30)
def test_staff_organisation_list(db, data, staff_client, pending_organisation):
    params = data.draw(query(q="", status=hostile_choice(*VerificationStatus.values)))
    check_get(staff_client, reverse("partners:organisations"), params)


@hostile(15)
def test_staff_decision_list(db, data, staff_client, record_in):
    record_in(DecisionStatus.DRAFT, title=f"Draft {PAYLOADS[1]}")
    params = data.draw(query(status=hostile_choice(*DecisionStatus.values)))
    check_get(staff_client, reverse("decisions:staff-list"), params)


@hostile(20)
def test_staff_award_list(db, data, staff_client, award):
    stream = award.stream
    params = data.draw(
        query(
            q=st.sampled_from(["", "Boxing", award.reference]),
            stream=hostile_choice(stream.pk),
            financial_year=hostile_choice("2024-25"),
            status=hostile_choice(*AwardStatus.values),
        )
    )
    check_get(staff_client, reverse("grants:staff-awards"), params)
    check_get(staff_client, reverse("grants:staff-awards-export", args=["csv"]), params)


@hostile(20)
def test_money_dashboard(db, data, staff_client, award):
    params = data.draw(
        query(stream=hostile_choice(award.stream_id), financial_year=hostile_choice("2024-25"))
    )
    check_get(staff_client, reverse("grants:staff-dashboard"), params)
    for part in ("money", "delivery", "returns"):
        check_get(staff_client, reverse("grants:staff-dashboard-export", args=[part]), params)


# --- The bugs these tests found, each kept as the exact input that found it ---------------------


AMOUNT_FILTER = "Enter an amount in pounds and pence, like 4500 or 4500.50"


def test_staff_application_list_filters_that_are_not_amounts_or_ids_are_told(staff_client, draft):
    """Was a 500: Decimal("NaN") and "1e999999999" reached the query, int("²") raised,
    and PostgreSQL refused the NUL. Then they were dropped without a word; now the page
    says which filter was not used, and lists what the others find."""
    url = reverse("grants:staff-round-applications", args=[draft.round.slug])
    for params, field, message in (
        ({"min_amount": "NaN"}, "min_amount", AMOUNT_FILTER),
        (
            {"max_amount": "1e999999999"},
            "max_amount",
            "Enter an amount less than £1,000,000,000,000",
        ),
        ({"priority": "²"}, "priority", "Select a priority from the list"),
        ({"q": "\x00"}, "q", "Remove the null character from the search"),
    ):
        response = staff_client.get(url, params)

        assert response.status_code == 200, params
        assert [a.reference for a in response.context["applications"]] == [draft.reference]
        assert response.context["filter_form"].errors == {field: [message]}
        assert summary_links(response) == [(f"id_{field}", message)]


def test_staff_organisation_list_search_with_nul_is_told(staff_client, pending_organisation):
    """Was a 500: PostgreSQL refused the NUL in the search. Then it was dropped without a
    word; now the page says so, and lists every organisation meanwhile."""
    response = staff_client.get(reverse("partners:organisations"), {"q": "Hidden\x00"})

    assert response.status_code == 200
    assert list(response.context["organisations"]) == [pending_organisation]
    assert summary_links(response) == [("id_q", "Remove the null character from the search")]


@hostile(25)
def test_audit_trail(db, data, staff_client, pending_organisation):
    staff_client.post(
        reverse("partners:organisation-verify", args=[pending_organisation.pk]),
        {"to_status": "rejected", "reason": f"Not found {PAYLOADS[2]}"},
    )
    params = data.draw(
        query(
            q=st.sampled_from(["", "Hidden", PAYLOADS[3]]),
            who=st.sampled_from(["", "staff@", PAYLOADS[4]]),
            kind=hostile_choice("sign-in", "status", "fields", "download"),
            since=hostile_date(),
            until=hostile_date(),
            object=st.one_of(
                st.just(f"partners.organisation:{pending_organisation.pk}"),
                st.sampled_from(["", ":", "partners.organisation:", "a.b.c:1", "x" * 120]),
                hostile_text(40),
            ),
        )
    )
    where = data.draw(st.sampled_from(["audit-trail", "audit-trail-export"]))
    check_get(staff_client, reverse(where), params)
