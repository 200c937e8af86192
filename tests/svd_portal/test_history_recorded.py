"""Field history as it is recorded: who changed which field, when, from what to what; and
the admin, which can neither change the log nor go behind the services' backs."""

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import Group

from grants import services as grant_services
from grants.models import BudgetLine, FundingRound
from partners.enums import MembershipStatus, Role
from partners.models import Membership
from svd_portal import history
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    StrategicPriorityFactory,
    UserFactory,
)
from tests.grants.helpers import round_form_data

A = LogEntry.Action


def _entries(obj, action=A.UPDATE):
    return list(history.entries_for(obj).filter(action=action).order_by("pk"))


@pytest.fixture
def superuser_client(client_as, superuser):
    return client_as(superuser)


# --- What is recorded, and whose change it is ----------------------------------------------


def test_round_title_edited_through_the_staff_form_records_one_change_by_that_person(
    staff_client, staff_user
):
    priority = StrategicPriorityFactory(number=1, title="Young people at risk")
    assert staff_client.post("/staff/rounds/new/", round_form_data([priority])).status_code == 302
    funding_round = FundingRound.objects.get(slug="summer-grants")
    recorded = LogEntry.objects.count()

    response = staff_client.post(
        "/staff/rounds/summer-grants/edit/", round_form_data([priority], title="Winter grants")
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

    staff_client.post("/staff/rounds/new/", round_form_data([priority]))

    funding_round = FundingRound.objects.get(slug="summer-grants")
    added = [
        (e.content_type.model, e.object_repr, e.actor) for e in _entries(funding_round, A.CREATE)
    ]
    assert added == [
        ("fundinground", "Violence Prevention Fund: Summer grants", staff_user),
        ("assessmentcriterion", "1. Evidence", staff_user),
        ("assessmentcriterion", "2. Partners", staff_user),
    ]


def test_application_edit_by_a_provider_through_its_section_page_is_theirs(
    provider_client, provider_user, draft
):
    response = provider_client.post(
        f"/applications/{draft.reference}/project/",
        {
            "title": "Street sport",
            "summary": draft.summary,
            "description": "Friday and Saturday sessions",
        },
    )

    assert response.status_code == 302
    [entry] = _entries(draft)
    assert entry.actor == provider_user
    assert entry.changes["title"] == ["Street sport on the seafront", "Street sport"]
    assert entry.changes["description"][1] == "Friday and Saturday sessions"


def test_budget_line_added_and_removed_records_the_amount(provider_client, provider_user, draft):
    provider_client.post(
        f"/applications/{draft.reference}/budget/",
        {
            "item": "Youth worker",
            "financial_year": "2025-26",
            "cost_kind": "labour",
            "amount": "£1,250.50",
        },
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


def test_service_without_a_person_keeps_the_surrounding_actor(staff_user, draft):
    with history.acting_as(staff_user):
        grant_services.application_move(
            application=draft, to_status="withdrawn", by=None, reason="Gone"
        )

    [entry] = _entries(draft)
    assert (entry.actor, entry.changes["status"]) == (staff_user, ["draft", "withdrawn"])


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
