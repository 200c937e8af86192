"""seed_demo's decision records: DN50-24 as in source 000, and the register's other cases."""

import datetime

from django.core.management import call_command

from decisions.enums import DecisionStatus, Outcome
from decisions.models import DecisionRecord, DecisionStatusChange, ReferenceCounter
from decisions.services import allocate_reference, decisions_publish_due

FOI_S43 = "Section 43 (commercial interests), Freedom of Information Act 2000"


def page(client, reference):
    response = client.get(f"/decisions/{reference}/")
    assert response.status_code == 200
    return response.content.decode()


def test_seed_demo_dn50_24_shows_the_facts_of_source_000(demo, client):
    html = page(client, "DN50-24")
    for expected in [
        '<h1 class="govuk-heading-l">Serious Violence Funding</h1>',
        "Decision record DN50-24 · published 28 March 2024",
        "<strong>Approved</strong>",
        "<strong>None</strong>",
        "Name: <strong>Andrew Dale</strong>. Date: 28 March 2024.",
        "Signed by Morgan Reid, Police and Crime Commissioner, on 28 March 2024.",
        "Yes. The report contains commercially sensitive information.",
        "The Home Office has allocated grant funding for each police force area",
        'Publication deferred</dt><dd class="govuk-summary-list__value">No</dd>',
    ]:
        assert expected in html, expected


def test_seed_demo_dn50_24_record(demo):
    record = DecisionRecord.objects.get(reference="DN50-24")
    assert (
        record.title,
        record.status,
        record.outcome,
        record.declaration,
        record.officer_approval_name,
        record.officer_approved_on,
        record.signed_on,
        record.advice_confirmed,
        record.publication_deferred,
    ) == (
        "Serious Violence Funding",
        DecisionStatus.PUBLISHED,
        Outcome.APPROVED,
        "None",
        "Andrew Dale",
        datetime.date(2024, 3, 28),
        datetime.date(2024, 3, 28),
        True,
        False,
    )


def test_seed_demo_dn52_24_is_not_approved(demo, client):
    html = page(client, "DN52-24")
    assert "<strong>Not approved</strong>" in html
    assert "Purchase of a mobile CCTV unit for the night-time economy" in html


def test_seed_demo_dn51_24_shows_the_exemption_basis(demo, client):
    html = page(client, "DN51-24")
    assert f'Material withheld under</dt><dd class="govuk-summary-list__value">{FOI_S43}</dd>' in (
        html
    )
    assert "Yes. The Section B report sets out the bidders&#x27; prices." in html


def test_seed_demo_dn53_24_is_deferred_until_its_date(demo, client):
    record = DecisionRecord.objects.get(reference="DN53-24")
    assert (record.status, record.publication_deferred) == (DecisionStatus.SIGNED, True)
    assert client.get("/decisions/DN53-24/").status_code == 404
    assert client.get("/decisions/DN53-24/section-b/").status_code == 404
    assert "DN53-24" not in client.get("/decisions/").content.decode()

    day_before = record.deferred_until - datetime.timedelta(days=1)
    assert decisions_publish_due(today=day_before) == []
    assert decisions_publish_due(today=record.deferred_until) == ["DN53-24"]
    html = page(client, "DN53-24")
    assert "Violence Reduction Unit: future staffing" in html
    # Its Section B is still private: it was never flagged for publication.
    assert client.get("/decisions/DN53-24/section-b/").status_code == 404


def test_seed_demo_register_lists_the_four_published_newest_first(demo, client):
    response = client.get("/decisions/")
    assert [r.reference for r in response.context["records"]] == [
        "DN52-24",
        "DN51-24",
        "DN50-24",
        "DN38-23",
    ]


def test_seed_demo_search_finds_dn50_24(demo, client):
    for query in ("DN50-24", "Home Office", "serious violence duty"):
        response = client.get("/decisions/", {"q": query})
        assert [r.reference for r in response.context["records"]] == ["DN50-24"], query


def test_seed_demo_reference_counter_continues_at_dn54_24(demo):
    assert ReferenceCounter.objects.get(period="CY2024").next_number == 54
    assert allocate_reference(on=datetime.date(2024, 7, 1)) == "DN54-24"


def test_seed_demo_twice_changes_no_rows(demo):
    def counts():
        return (
            DecisionRecord.objects.count(),
            DecisionStatusChange.objects.count(),
            list(ReferenceCounter.objects.values_list("period", "next_number")),
            list(DecisionRecord.objects.order_by("pk").values_list("reference", "status")),
        )

    before = counts()
    call_command("seed_demo", verbosity=0)
    assert counts() == before
    assert before[0] == 5
