"""Field history as it is shown: to staff only, on each page that has it, in words (labels,
money, long text shortened), for one query."""

import datetime
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import AnonymousUser
from django.template import Context, Template
from django.test import Client, RequestFactory

from partners.enums import MembershipStatus, Role
from svd_portal import history
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

# 1:05pm on 2 December 2026 in London (GMT), as the page writes it.
WHEN = datetime.datetime(2026, 12, 2, 13, 5, tzinfo=datetime.UTC)


# --- Who sees it -----------------------------------------------------------------------------


def _edited_organisation(staff_user):
    organisation = OrganisationFactory(name="Durham Boxing", town="Durham")
    with history.acting_as(staff_user):
        organisation.town = "Seaham"
        organisation.save()
    LogEntry.objects.filter(object_repr="Durham Boxing").update(timestamp=WHEN)
    return organisation


def test_history_shown_to_staff_on_the_organisation_page(staff_client, staff_user):
    organisation = _edited_organisation(staff_user)

    response = staff_client.get(f"/staff/organisations/{organisation.pk}/")

    assert response.status_code == 200
    changes = response.context["changes"]
    assert [tuple(vars(c).values()) for c in changes] == [
        (WHEN, "Olive Staff", "Town or city", "Durham", "Seaham"),
        (WHEN, "The portal", "Created", "", ""),
    ]
    html = response.content.decode()
    assert '<h2 class="govuk-heading-m" id="changes">Changes</h2>' in html
    assert '<td class="govuk-table__cell">2 December 2026, 1:05pm</td>' in html
    assert '<td class="govuk-table__cell">Town or city</td>' in html


def test_history_shows_labels_money_and_shortens_long_text(staff_client, staff_user, draft):
    long_text = "Friday sessions on the seafront. " * 5
    with history.acting_as(staff_user):
        draft.description = long_text
        draft.amount_requested = Decimal("1234.50")
        draft.save()

    changes = {c.what: c for c in history.history_for(draft)[0]}

    assert (changes["Amount requested"].before, changes["Amount requested"].after) == (
        "–",
        "£1,234.50",
    )
    assert changes["What you will do"].after == long_text
    response = staff_client.get(f"/staff/applications/{draft.reference}/")
    html = response.content.decode()
    assert '<details class="govuk-details">' in html
    assert f"{long_text[:79]}…</span>" in html


def test_history_choice_codes_read_as_labels(staff_user, organisation):
    membership = MembershipFactory(organisation=organisation, status=MembershipStatus.REQUESTED)
    from partners import services as partner_services

    partner_services.membership_decide(membership=membership, accept=True, by=staff_user)

    [status] = [c for c in history.history_for(organisation)[0] if c.what.startswith("Status")]
    assert (status.by, status.before, status.after) == ("Olive Staff", "Asked to join", "Member")


@pytest.mark.parametrize("who", ["provider", "panel member", "anonymous"])
def test_history_never_shown_to_anyone_but_staff(who, staff_user, provider_user, draft):
    organisation = _edited_organisation(staff_user)
    client = Client()
    if who == "provider":
        client.force_login(provider_user)
    elif who == "panel member":
        member = UserFactory(email="panel@example.org", roles=[Role.PANEL_MEMBER])
        MembershipFactory(user=member, organisation=organisation)
        client.force_login(member)

    pages = [
        f"/staff/organisations/{organisation.pk}/",
        f"/staff/organisations/{draft.organisation_id}/",
        f"/staff/applications/{draft.reference}/",
        f"/staff/rounds/{draft.round.slug}/",
        f"/staff/rounds/{draft.round.slug}/panel/",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code in (302, 403, 404), url
        html = response.content.decode()
        assert 'id="changes"' not in html
        assert "Olive Staff" not in html


@pytest.mark.parametrize("who", ["provider", "panel member", "anonymous"])
def test_history_tag_renders_nothing_for_anyone_but_staff(who, staff_user, provider_user):
    organisation = _edited_organisation(staff_user)
    user = {
        "provider": provider_user,
        "panel member": UserFactory(roles=[Role.PANEL_MEMBER]),
        "anonymous": AnonymousUser(),
    }[who]
    request = RequestFactory().get("/")
    request.user = user
    template = Template("{% load field_history %}{% field_history organisation %}")

    html = template.render(Context({"request": request, "organisation": organisation}))

    assert html.strip() == ""


def test_history_of_staff_application_page_costs_one_query(
    staff_client, staff_user, draft, django_assert_num_queries
):
    with history.acting_as(staff_user):
        for title in ("One", "Two", "Three"):
            draft.title = title
            draft.save()

    with django_assert_num_queries(1):
        rows, more = history.history_for(draft)

    assert ([r.after for r in rows], more) == (["Three", "Two", "One", ""], False)


def test_history_shown_to_staff_on_each_of_the_five_pages(
    staff_client, staff_user, provider_user, draft
):
    from decisions import services as decision_services
    from grants.models import Panel, PanelMember

    chair = UserFactory(full_name="Chris Chair", roles=[Role.PANEL_MEMBER])
    deputy = UserFactory(full_name="Dee Deputy", roles=[Role.PANEL_MEMBER])
    record = decision_services.decision_create(
        by=staff_user,
        title="Knife crime awareness",
        received_on=datetime.date(2026, 11, 2),
        section_a="A request.",
        decision_text="To approve.",
    )
    decision_services.decision_update(
        record=record, by=staff_user, fields={"title": "Knife crime awareness in schools"}
    )
    with history.acting_as(staff_user):
        panel = Panel.objects.create(round=draft.round, chair=chair)
        PanelMember.objects.create(panel=panel, user=chair, organisation=draft.organisation)
        panel.deputy_chair = deputy
        panel.save()
        draft.round.title = "Autumn grants"
        draft.round.save()
        draft.title = "Street sport"
        draft.save()

    expected = {
        f"/staff/decisions/{record.pk}/": ("Title", "Knife crime awareness in schools"),
        f"/staff/rounds/{draft.round.slug}/panel/": ("Deputy chair", "Dee Deputy"),
        f"/staff/rounds/{draft.round.slug}/": ("Title", "Autumn grants"),
        f"/staff/applications/{draft.reference}/": ("Project title", "Street sport"),
        f"/staff/organisations/{draft.organisation_id}/": (
            "Added membership",
            f"{provider_user} in Seaham Street Sport (Member)",
        ),
    }
    for url, (what, after) in expected.items():
        response = staff_client.get(url)
        assert response.status_code == 200, url
        assert 'id="changes"' in response.content.decode(), url
        latest = response.context["changes"][0]
        assert (latest.what, latest.after) == (what, after), url
    panel_rows = [
        (c.what, c.after)
        for c in history.history_for(panel)[0]
        if c.what.startswith("Added") or c.what == "Created"
    ]
    assert panel_rows == [
        ("Added panel member", f"Chris Chair ({draft.organisation.name})"),
        ("Created", ""),
    ]
