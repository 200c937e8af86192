"""Field history: who changed which field, when, from what to what, and who may read it."""

import datetime
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import AnonymousUser, Group
from django.template import Context, Template
from django.test import Client, RequestFactory

from grants import services as grant_services
from grants.models import BudgetLine, FundingRound
from partners.enums import MembershipStatus, Role
from partners.models import Membership, User
from svd_portal import history
from tests.factories import (
    ApplicationFactory,
    FundingRoundFactory,
    MembershipFactory,
    OrganisationFactory,
    StrategicPriorityFactory,
    UserFactory,
)
from tests.grants.criteria import criteria_data

A = LogEntry.Action
# 1:05pm on 2 December 2026 in London (GMT), as the page writes it.
WHEN = datetime.datetime(2026, 12, 2, 13, 5, tzinfo=datetime.UTC)


def _entries(obj, action=A.UPDATE):
    return list(history.entries_for(obj).filter(action=action).order_by("pk"))


def _round_form(priority, **overrides):
    data = {
        "fund_name": "Violence Prevention Fund",
        "title": "Summer grants",
        "slug": "summer-grants",
        "reference_prefix": "sg25",
        "description": "Grants for the summer holidays.",
        "eligibility": "Voluntary organisations.",
        "how_to_apply": "Apply online.",
        "budget": "£100,000",
        "opens_at": "2030-06-01T09:00",
        "closes_at": "2030-06-30T17:00",
        "stages": "single",
        "full_stage_closes_at": "",
        "delivery_starts_on": "2030-07-01",
        "delivery_ends_on": "2031-03-31",
        "priorities": [priority.pk],
        "unregistered_minimum": "0",
        "unregistered_maximum": "5000",
        "registered_minimum": "1,000",
        "registered_maximum": "40000",
        **criteria_data(
            [{"weight": "100", "scale_max": "5", "title": "Evidence", "guidance": "5: strong"}]
        ),
    }
    data.update(overrides)
    return data


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser(
        "root@example.org", "correct-horse-battery-staple", full_name="Root Admin"
    )


@pytest.fixture
def superuser_client(superuser):
    client = Client()
    client.force_login(superuser)
    return client


@pytest.fixture
def organisation(provider_user):
    return provider_user.memberships.get().organisation


@pytest.fixture
def draft(provider_user, organisation):
    funding_round = FundingRoundFactory(slug="history-round", reference_prefix="HIS")
    return ApplicationFactory(
        round=funding_round,
        organisation=organisation,
        created_by=provider_user,
        reference="HIS-0001",
        title="Street sport on the seafront",
    )


# --- What is recorded, and whose change it is ----------------------------------------------


def test_round_title_edited_through_the_staff_form_records_one_change_by_that_person(
    staff_client, staff_user
):
    priority = StrategicPriorityFactory(number=1, title="Young people at risk")
    assert staff_client.post("/staff/rounds/new/", _round_form(priority)).status_code == 302
    funding_round = FundingRound.objects.get(slug="summer-grants")
    recorded = LogEntry.objects.count()

    response = staff_client.post(
        "/staff/rounds/summer-grants/edit/", _round_form(priority, title="Winter grants")
    )

    assert response.status_code == 302
    [entry] = LogEntry.objects.order_by("pk")[recorded:]
    assert (entry.actor, entry.changes) == (
        staff_user,
        {"title": ["Summer grants", "Winter grants"]},
    )
    created = _entries(funding_round, A.CREATE)[0]
    assert (created.actor, created.object_repr) == (
        staff_user,
        "Violence Prevention Fund: Summer grants",
    )


def test_round_criteria_made_with_bulk_create_are_recorded(staff_client, staff_user):
    priority = StrategicPriorityFactory(number=1, title="Young people at risk")

    staff_client.post("/staff/rounds/new/", _round_form(priority))

    funding_round = FundingRound.objects.get(slug="summer-grants")
    added = [
        (e.content_type.model, e.object_repr, e.actor) for e in _entries(funding_round, A.CREATE)
    ]
    assert added == [
        ("fundinground", "Violence Prevention Fund: Summer grants", staff_user),
        ("assessmentcriterion", "1. Evidence", staff_user),
    ]


def test_application_edit_by_a_provider_through_its_section_page_is_theirs(
    provider_client, provider_user, draft
):
    response = provider_client.post(
        f"/applications/{draft.reference}/project/",
        {
            "title": "Street sport",
            "summary": draft.summary,
            "description": draft.description,
            "amount_requested": "£4,500.50",
        },
    )

    assert response.status_code == 302
    [entry] = _entries(draft)
    assert entry.actor == provider_user
    assert entry.changes["title"] == ["Street sport on the seafront", "Street sport"]
    assert entry.changes["amount_requested"][1] == "4500.50"


def test_budget_line_added_and_removed_records_the_amount(provider_client, provider_user, draft):
    provider_client.post(
        f"/applications/{draft.reference}/budget/",
        {"item": "Youth worker", "financial_year": "2025-26", "amount": "£1,250.50"},
    )
    line = BudgetLine.objects.get(application=draft)
    provider_client.post(f"/applications/{draft.reference}/budget/{line.pk}/remove/")

    created, deleted = (
        e for e in history.entries_for(draft).order_by("pk") if e.content_type.model == "budgetline"
    )
    assert (created.action, created.actor, created.changes["amount"]) == (
        A.CREATE,
        provider_user,
        [None, "1250.50"],
    )
    assert (deleted.action, deleted.actor, deleted.changes["amount"]) == (
        A.DELETE,
        provider_user,
        ["1250.50", None],
    )


def test_service_call_outside_a_request_is_attributed_to_by(staff_user, organisation):
    membership = MembershipFactory(organisation=organisation, status=MembershipStatus.REQUESTED)
    from partners import services as partner_services

    partner_services.membership_decide(membership=membership, accept=True, by=staff_user)

    [entry] = _entries(organisation)
    assert entry.actor == staff_user
    assert entry.changes["status"] == ["requested", "active"]


def test_attribution_nested_in_a_request_gives_the_request_its_actor_back(
    staff_user, provider_user
):
    # The request's context (AuditlogMiddleware) stands again once a service has ended.
    organisation = OrganisationFactory(name="Durham Boxing")
    from auditlog.context import set_actor

    with set_actor(provider_user):
        with history.acting_as(staff_user):
            organisation.town = "Seaham"
            organisation.save()
        organisation.town = "Consett"
        organisation.save()

    first, second = _entries(organisation)
    assert (first.actor, first.changes) == (staff_user, {"town": ["Durham", "Seaham"]})
    assert (second.actor, second.changes) == (provider_user, {"town": ["Seaham", "Consett"]})


def test_admin_role_change_is_attributed_to_the_superuser(superuser_client, superuser):
    person = UserFactory(email="new@example.org", full_name="Nia New")
    provider = Group.objects.get(name=Role.PROVIDER)

    response = superuser_client.post(
        f"/admin/partners/user/{person.pk}/change/",
        {
            "email": "new@example.org",
            "full_name": "Nia New",
            "is_active": "on",
            "groups": [provider.pk],
            "date_joined_0": "2026-12-01",
            "date_joined_1": "09:00:00",
        },
    )

    assert response.status_code == 302
    assert list(person.groups.values_list("name", flat=True)) == [Role.PROVIDER]
    [entry] = list(history.entries_for(person).filter(action=A.UPDATE))
    assert (entry.actor, entry.changes) == (
        superuser,
        {"groups": {"type": "m2m", "operation": "add", "objects": [Role.PROVIDER]}},
    )


def test_password_is_never_recorded(staff_user):
    staff_user.set_password("another-long-passphrase")
    staff_user.is_active = False
    staff_user.save()

    entry = _entries(staff_user)[-1]
    assert entry.changes == {"is_active": [True, False]}


# --- The admin cannot go behind the services' backs -----------------------------------------


def test_admin_cannot_change_a_membership_status(superuser_client, organisation):
    membership = MembershipFactory(organisation=organisation, status=MembershipStatus.REQUESTED)
    page = superuser_client.get(f"/admin/partners/organisation/{organisation.pk}/change/")
    data = _admin_post_data(page)
    prefix = next(
        key[: -len("-id")]
        for key, value in data.items()
        if key.startswith("memberships-") and key.endswith("-id") and value == str(membership.pk)
    )
    data[f"{prefix}-status"] = MembershipStatus.ACTIVE

    response = superuser_client.post(
        f"/admin/partners/organisation/{organisation.pk}/change/", data
    )

    assert response.status_code == 302
    membership.refresh_from_db()
    assert (membership.status, membership.decided_at, membership.decided_by) == (
        MembershipStatus.REQUESTED,
        None,
        None,
    )


def test_admin_membership_added_there_starts_requested(superuser_client, organisation):
    newcomer = UserFactory(email="newcomer@example.org")
    page = superuser_client.get(f"/admin/partners/organisation/{organisation.pk}/change/")
    data = _admin_post_data(page)
    index = int(data["memberships-TOTAL_FORMS"])
    data.update(
        {
            "memberships-TOTAL_FORMS": str(index + 1),
            f"memberships-{index}-user": str(newcomer.pk),
            f"memberships-{index}-organisation": str(organisation.pk),
            f"memberships-{index}-status": MembershipStatus.ACTIVE,
        }
    )

    response = superuser_client.post(
        f"/admin/partners/organisation/{organisation.pk}/change/", data
    )

    assert response.status_code == 302
    assert Membership.objects.get(user=newcomer).status == MembershipStatus.REQUESTED


@pytest.mark.parametrize("action", ["change", "delete"])
def test_admin_log_entries_cannot_be_changed_or_deleted_even_by_a_superuser(
    superuser_client, staff_user, action
):
    organisation = OrganisationFactory(name="Durham Boxing")
    with history.acting_as(staff_user):
        organisation.town = "Seaham"
        organisation.save()
    entry = _entries(organisation)[0]

    response = superuser_client.post(
        f"/admin/auditlog/logentry/{entry.pk}/{action}/",
        {"post": "yes", "changes": "{}", "actor": ""},
    )

    assert response.status_code == 403
    entry.refresh_from_db()
    assert (entry.actor, entry.changes) == (staff_user, {"town": ["Durham", "Seaham"]})


def test_admin_log_entries_cannot_be_added(superuser_client):
    response = superuser_client.post("/admin/auditlog/logentry/add/", {"object_repr": "Forged"})

    assert response.status_code == 403
    assert not LogEntry.objects.filter(object_repr="Forged").exists()


def test_admin_log_entry_list_searches_by_name(superuser_client, staff_user):
    organisation = OrganisationFactory(name="Durham Boxing")
    with history.acting_as(staff_user):
        organisation.town = "Seaham"
        organisation.save()

    response = superuser_client.get("/admin/auditlog/logentry/", {"q": "Olive"})

    assert response.status_code == 200
    assert "Durham Boxing" in response.content.decode()


def _admin_post_data(page) -> dict:
    """The admin change form's data as the browser would post it back unchanged."""
    data = {}
    form = page.context["adminform"].form
    for name in form.fields:
        value = form[name].value()
        if value is None:
            continue
        if isinstance(value, list | tuple):
            data[name] = [str(v) for v in value]
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = str(value)
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        for key, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{key}"] = str(value)
        for subform in formset.forms:
            for name in subform.fields:
                value = subform[name].value()
                if value is None or value is False:
                    continue
                data[subform.add_prefix(name)] = "on" if value is True else str(value)
    return data


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


def test_service_without_a_person_keeps_the_surrounding_actor(staff_user, draft):
    with history.acting_as(staff_user):
        grant_services.application_move(
            application=draft, to_status="withdrawn", by=None, reason="Gone"
        )

    [entry] = _entries(draft)
    assert (entry.actor, entry.changes["status"]) == (staff_user, ["draft", "withdrawn"])


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
