"""decisions.views.actions through HTTP: who may submit, approve, return and sign a record,
and each move made from the OPCC's pages."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from decisions.enums import DecisionStatus
from decisions.models import DecisionRecord, DecisionStatusChange
from tests.factories.partners import PASSWORD

from .conftest import RECORD

D = DecisionStatus
SECTION_B = b"Section B: the bidders' prices (confidential).\n"
# Unpublished records, each with a Section B flagged for publication: only the status
# keeps them from the public.
HIDDEN = [D.AWAITING_APPROVAL, D.AWAITING_SIGNATURE, D.SIGNED]


def text(response) -> str:
    return response.content.decode()


@pytest.fixture
def snapshot():
    """snapshot(): every record's status and the number of rows, to compare before and after."""

    def take():
        return (
            list(DecisionRecord.objects.order_by("pk").values_list("pk", "status", "title")),
            DecisionStatusChange.objects.count(),
        )

    return take


# --- The OPCC's pages: who may do what -----------------------------------------------------


@pytest.fixture
def one_of_each(record_in):
    """A record in each status a move is made from."""
    return {status: record_in(status) for status in [D.DRAFT, *HIDDEN, D.PUBLISHED]}


ACTIONS = [
    ("submit", D.DRAFT, {}),
    ("approve", D.AWAITING_APPROVAL, {"advice_confirmed": "on", "name": "X", "role": "Y"}),
    ("return", D.AWAITING_APPROVAL, {"comments": "Change it."}),
    ("return", D.AWAITING_SIGNATURE, {"comments": "Change it."}),
    ("sign", D.AWAITING_SIGNATURE, {"outcome": "approved", "declaration": "None"}),
    ("correct", D.PUBLISHED, {}),
    ("correct", D.SIGNED, {}),
]


@pytest.mark.parametrize("who", ["provider", "panel member"])
def test_staff_list_is_403_outside_the_opcc(who, client_as, provider_user, panel_member_user):
    user = provider_user if who == "provider" else panel_member_user
    response = client_as(user).get("/staff/decisions/")
    assert response.status_code == 403


@pytest.mark.parametrize("who", ["provider", "panel member"])
@pytest.mark.parametrize(("action", "status", "data"), ACTIONS)
def test_staff_action_is_403_outside_the_opcc(
    who, action, status, data, client_as, provider_user, panel_member_user, one_of_each, snapshot
):
    user = provider_user if who == "provider" else panel_member_user
    record = one_of_each[status]
    before = snapshot()
    response = client_as(user).post(
        f"/staff/decisions/{record.pk}/{action}/", {**data, "password": PASSWORD}
    )
    assert response.status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize("who", ["provider", "panel member"])
@pytest.mark.parametrize("status", [D.DRAFT, *HIDDEN])
def test_staff_detail_is_403_outside_the_opcc(
    who, status, client_as, provider_user, panel_member_user, record_in
):
    user = provider_user if who == "provider" else panel_member_user
    record = record_in(status)
    response = client_as(user).get(f"/staff/decisions/{record.pk}/")
    assert response.status_code == 403
    assert RECORD["section_a"] not in text(response)


def test_staff_create_and_edit_are_403_outside_the_opcc(provider_client, make_record, snapshot):
    record = make_record(D.DRAFT)
    before = snapshot()
    form = {**RECORD, "received_on": "2024-03-01"}
    assert provider_client.post("/staff/decisions/new/", form).status_code == 403
    assert provider_client.post(f"/staff/decisions/{record.pk}/edit/", form).status_code == 403
    assert provider_client.post("/staff/decisions/from-round/", {}).status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize(("action", "status", "data"), ACTIONS)
def test_staff_action_anonymous_is_sent_to_sign_in(client, action, status, data, one_of_each):
    record = one_of_each[status]
    response = client.post(f"/staff/decisions/{record.pk}/{action}/", data)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert DecisionRecord.objects.get(pk=record.pk).status == status


@pytest.mark.parametrize(
    ("who", "action", "status"),
    [
        ("ceo", "sign", D.AWAITING_SIGNATURE),
        ("staff", "sign", D.AWAITING_SIGNATURE),
        ("pcc", "approve", D.AWAITING_APPROVAL),
        ("staff", "approve", D.AWAITING_APPROVAL),
        ("ceo", "return", D.AWAITING_SIGNATURE),
        ("pcc", "return", D.AWAITING_APPROVAL),
        ("ceo", "submit", D.DRAFT),
        ("pcc", "submit", D.DRAFT),
        ("ceo", "correct", D.PUBLISHED),
        ("pcc", "correct", D.PUBLISHED),
        # The right person, at the wrong step.
        ("ceo", "approve", D.AWAITING_SIGNATURE),
        ("pcc", "sign", D.AWAITING_APPROVAL),
        ("staff", "submit", D.AWAITING_APPROVAL),
        ("staff", "correct", D.AWAITING_SIGNATURE),
    ],
)
def test_staff_action_by_the_wrong_role_is_403(
    who, action, status, client_as, staff_user, ceo_user, pcc_user, one_of_each, snapshot
):
    user = {"staff": staff_user, "ceo": ceo_user, "pcc": pcc_user}[who]
    # Each signs with their own password: the role, not the password, is what is refused.
    data = {
        "advice_confirmed": "on",
        "name": user.full_name,
        "role": "Chief Executive",
        "outcome": "approved",
        "declaration": "None",
        "password": PASSWORD,
        "comments": "Change it.",
    }
    record = one_of_each[status]
    before = snapshot()
    response = client_as(user).post(f"/staff/decisions/{record.pk}/{action}/", data)
    assert response.status_code == 403
    assert snapshot() == before


def test_staff_action_get_is_not_allowed(client_as, pcc_user, one_of_each):
    record = one_of_each[D.AWAITING_SIGNATURE]
    response = client_as(pcc_user).get(f"/staff/decisions/{record.pk}/sign/")
    assert response.status_code == 405


# --- The OPCC's pages: the moves -----------------------------------------------------------


def test_staff_sign_wrong_password_is_400_and_changes_nothing(
    client_as, pcc_user, make_record, snapshot
):
    record = make_record(D.AWAITING_SIGNATURE)
    before = snapshot()
    response = client_as(pcc_user).post(
        f"/staff/decisions/{record.pk}/sign/",
        {"outcome": "approved", "declaration": "None", "password": "not-the-password"},
    )
    assert response.status_code == 400
    assert "The password is not right" in text(response)
    assert snapshot() == before
    record = DecisionRecord.objects.get(pk=record.pk)
    assert (record.status, record.outcome, record.signed_at) == (D.AWAITING_SIGNATURE, "", None)


def test_staff_approve_without_the_confirmation_is_400(client_as, ceo_user, make_record, snapshot):
    record = make_record(D.AWAITING_APPROVAL)
    before = snapshot()
    response = client_as(ceo_user).post(
        f"/staff/decisions/{record.pk}/approve/", {"name": "Helen Carter", "role": "CEO"}
    )
    assert response.status_code == 400
    assert "Confirm that financial, legal and equalities advice was taken into account" in text(
        response
    )
    assert snapshot() == before


def test_staff_return_without_comments_is_400(client_as, pcc_user, make_record, snapshot):
    record = make_record(D.AWAITING_SIGNATURE)
    before = snapshot()
    response = client_as(pcc_user).post(f"/staff/decisions/{record.pk}/return/", {"comments": ""})
    assert response.status_code == 400
    assert snapshot() == before


def test_staff_return_by_the_pcc_sends_it_back_to_draft(client_as, pcc_user, make_record):
    record = make_record(D.AWAITING_SIGNATURE)
    response = client_as(pcc_user).post(
        f"/staff/decisions/{record.pk}/return/", {"comments": "Name the schools."}
    )
    assert response.status_code == 302
    assert DecisionRecord.objects.get(pk=record.pk).status == D.DRAFT
    assert record.status_changes.first().reason == "Name the schools."


def test_staff_create_saves_a_draft_with_its_section_b(staff_client):
    response = staff_client.post(
        "/staff/decisions/new/",
        {
            **RECORD,
            "received_on": "2024-03-01",
            "section_b": SimpleUploadedFile("report.txt", SECTION_B),
        },
    )
    record = DecisionRecord.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/staff/decisions/{record.pk}/"
    assert (record.status, record.title, record.reference) == (D.DRAFT, RECORD["title"], "")
    assert record.section_b.read() == SECTION_B


def test_staff_create_deferred_without_a_date_asks_for_the_date(staff_client):
    response = staff_client.post(
        "/staff/decisions/new/",
        {
            **RECORD,
            "received_on": "2024-03-01",
            "publication_deferred": "on",
            "deferral_reasons": "Staff to be consulted.",
        },
    )
    assert response.status_code == 200
    assert "Give the date publication is deferred to" in text(response)
    assert "Constraint" not in text(response)
    assert not DecisionRecord.objects.exists()


def test_staff_edit_of_a_signed_record_is_403(staff_client, record_in, snapshot):
    record = record_in(D.SIGNED)
    before = snapshot()
    response = staff_client.post(
        f"/staff/decisions/{record.pk}/edit/",
        {**RECORD, "title": "Changed", "received_on": "2024-03-01"},
    )
    assert response.status_code == 403
    assert snapshot() == before


def test_staff_list_by_status_and_whose_move(staff_client, one_of_each):
    response = staff_client.get("/staff/decisions/", {"status": D.AWAITING_SIGNATURE})
    assert response.status_code == 200
    assert list(response.context["records"]) == [one_of_each[D.AWAITING_SIGNATURE]]
    assert '<td class="govuk-table__cell">PCC</td>' in text(response)
    everything = staff_client.get("/staff/decisions/")
    assert {r.pk for r in everything.context["records"]} == {r.pk for r in one_of_each.values()}


def test_staff_list_shows_what_waits_for_the_ceo(client_as, ceo_user, one_of_each):
    response = client_as(ceo_user).get("/staff/decisions/")
    assert list(response.context["waiting"]) == [one_of_each[D.AWAITING_APPROVAL]]
