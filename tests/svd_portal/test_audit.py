"""The audit trail over HTTP: what is recorded (sign-ins, refused sign-ins, sign-outs, second
factors, state changes, field edits, private downloads, and not public ones), with who and
from where; the page and its CSV for OPCC staff alone, filtered; each record's page links to
its part; and nothing edits or deletes a line."""

import csv
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from partners.models import Organisation
from svd_portal.models import AuditEvent, AuditKind
from tests.factories import OrganisationFactory
from tests.second_factor import app_of, code_for


def lines(**filters):
    return list(
        AuditEvent.objects.filter(**filters)
        .order_by("id")
        .values_list("kind", "actor", "address", "summary")
    )


def test_sign_in_its_second_factor_a_refusal_and_signing_out_are_recorded(
    client, staff_user, password
):
    device = app_of(staff_user)
    client.post("/accounts/login/", {"username": "STAFF@example.org", "password": "wrong-one"})
    client.post("/accounts/login/", {"username": staff_user.email, "password": password})
    client.post("/accounts/two-factor/", {"code": "000000"})
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)
    client.post("/accounts/two-factor/", {"code": code_for(device)})
    client.post("/accounts/logout/")
    assert lines(kind__in=[k for k in AuditKind.values if k != AuditKind.FIELDS]) == [
        (AuditKind.SIGN_IN_REFUSED, "STAFF@example.org", "127.0.0.1", "A wrong password"),
        (AuditKind.SIGN_IN, "staff@example.org", "127.0.0.1", "Signed in with a password"),
        (
            AuditKind.SIGN_IN_REFUSED,
            "staff@example.org",
            "127.0.0.1",
            "A wrong code from the authenticator app",
        ),
        (AuditKind.SECOND_FACTOR, "staff@example.org", "127.0.0.1", "Gave a code from the app"),
        (AuditKind.SIGN_OUT, "staff@example.org", "127.0.0.1", "Signed out"),
    ]
    # The refused sign-in is tied to the account its address names.
    assert AuditEvent.objects.filter(kind=AuditKind.SIGN_IN_REFUSED).first().user == staff_user


def test_a_state_change_and_a_field_edit_are_recorded_with_their_record(staff_client, staff_user):
    organisation = OrganisationFactory(name="Harbour Trust", pending=True)
    before = AuditEvent.objects.count()
    response = staff_client.post(
        f"/staff/organisations/{organisation.pk}/verification/",
        {"to_status": "verified", "reason": "Checked on the register"},
        REMOTE_ADDR="192.0.2.44",
    )
    assert response.status_code == 302
    made = list(AuditEvent.objects.order_by("id")[before:])
    status = [e for e in made if e.kind == AuditKind.STATUS]
    assert [(e.actor, e.address, e.summary, e.object_label, e.object_id) for e in status] == [
        (
            "staff@example.org",
            "192.0.2.44",
            "Waiting for verification → Verified: Checked on the register",
            "Harbour Trust",
            str(organisation.pk),
        )
    ]
    fields = [e for e in made if e.kind == AuditKind.FIELDS]
    assert [(e.actor, e.summary, e.object_type.model) for e in fields] == [
        (
            "staff@example.org",
            "Changed: verification status, verified at, verified by",
            "organisation",
        )
    ]


def test_a_private_download_is_recorded_and_a_public_one_not(staff_client, client, db):
    staff_client.get("/staff/payments/export.csv", REMOTE_ADDR="192.0.2.7")
    client.get("/grants/register.csv")
    client.get("/grants/360giving.json")
    assert lines(kind=AuditKind.DOWNLOAD) == [
        (
            AuditKind.DOWNLOAD,
            "staff@example.org",
            "192.0.2.7",
            AuditEvent.objects.get(kind=AuditKind.DOWNLOAD).summary,
        )
    ]
    download = AuditEvent.objects.get(kind=AuditKind.DOWNLOAD)
    assert download.summary.startswith("Downloaded payments-approved")
    assert download.path == "/staff/payments/export.csv"


# --- The page --------------------------------------------------------------------------------


@pytest.fixture
def trail(staff_user, provider_user):
    organisation = OrganisationFactory(name="Harbour Trust")
    other = OrganisationFactory(name="Quay Club")
    AuditEvent.objects.create(
        kind=AuditKind.SIGN_IN,
        user=provider_user,
        actor=provider_user.email,
        address="192.0.2.1",
        summary="Signed in with a password",
    )
    for org, summary in ((organisation, "Changed: town or city"), (other, "Changed: name")):
        from django.contrib.contenttypes.models import ContentType

        AuditEvent.objects.create(
            kind=AuditKind.FIELDS,
            user=staff_user,
            actor=staff_user.email,
            address="192.0.2.2",
            summary=summary,
            object_type=ContentType.objects.get_for_model(Organisation),
            object_id=str(org.pk),
            object_label=org.name,
        )
    return organisation


def test_staff_read_and_filter_the_trail(staff_client, trail):
    page = staff_client.get("/staff/audit/")
    assert page.status_code == 200
    assert [e.summary for e in page.context["events"]][:3] == [
        "Changed: name",
        "Changed: town or city",
        "Signed in with a password",
    ]
    by_kind = staff_client.get("/staff/audit/", {"kind": "sign-in", "who": "provider@"})
    assert [e.actor for e in by_kind.context["events"]] == ["provider@example.org"]
    about = staff_client.get("/staff/audit/", {"object": f"partners.organisation:{trail.pk}"})
    # Its creation (by the test's factory, no one signed in) and the change.
    assert [e.summary for e in about.context["events"]] == ["Changed: town or city", "Created"]
    words = staff_client.get("/staff/audit/", {"q": "quay"})
    assert [e.summary for e in words.context["events"]] == ["Changed: name", "Created"]


def test_a_filter_that_cannot_be_used_says_so_and_its_csv_is_a_400(staff_client, trail):
    page = staff_client.get("/staff/audit/", {"since": "2026-02-31"})
    assert page.status_code == 200
    assert "Enter a real date, like 2026-12-01" in page.content.decode()
    export = staff_client.get("/staff/audit.csv", {"since": "2026-02-31"})
    assert export.status_code == 400
    assert "Enter a real date" in export.content.decode()


def test_the_trail_as_csv(staff_client, trail):
    response = staff_client.get("/staff/audit.csv", {"object": f"partners.organisation:{trail.pk}"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == ["When", "Who", "From", "Kind", "What", "Record", "Record type", "Address"]
    assert [row[1:7] for row in rows[1:]] == [
        [
            "staff@example.org",
            "192.0.2.2",
            "Fields changed",
            "Changed: town or city",
            "Harbour Trust",
            "organisation",
        ],
        ["", "", "Fields changed", "Created", "Harbour Trust", "organisation"],
    ]
    # Reading it is itself recorded.
    assert (
        AuditEvent.objects.filter(
            kind=AuditKind.DOWNLOAD, path__startswith="/staff/audit.csv"
        ).count()
        == 1
    )


@pytest.mark.parametrize("who", ["provider_user", "panel_member_user", "ceo_user", "pcc_user"])
def test_only_opcc_staff_read_the_trail(client_as, request, trail, who):
    client = client_as(request.getfixturevalue(who))
    assert client.get("/staff/audit/").status_code == 403
    assert client.get("/staff/audit.csv").status_code == 403


def test_a_record_page_links_to_its_part_of_the_trail(staff_client, trail):
    html = staff_client.get(f"/staff/organisations/{trail.pk}/").content.decode()
    assert f'href="/staff/audit/?object=partners.organisation%3A{trail.pk}"' in html


# --- Append-only ------------------------------------------------------------------------------


def test_nothing_edits_or_deletes_a_line(staff_client, trail):
    event = AuditEvent.objects.get(kind=AuditKind.SIGN_IN, actor="provider@example.org")
    event.summary = "Something else"
    with pytest.raises(PermissionDenied):
        event.save()
    with pytest.raises(PermissionDenied):
        event.delete()
    with pytest.raises(PermissionDenied):
        AuditEvent.objects.filter(pk=event.pk).update(summary="Something else")
    with pytest.raises(PermissionDenied):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).summary == "Signed in with a password"
    # No page takes a change: the list answers GET alone, and the admin has no page for it.
    assert staff_client.post("/staff/audit/", {"summary": "x"}).status_code == 405
    assert staff_client.get("/admin/svd_portal/auditevent/").status_code == 404
    superuser_client = Client()
    from partners.models import User

    root = User.objects.create_superuser("root2@example.org", "a-long-password-1", full_name="Root")
    superuser_client.force_login(root)
    assert (
        superuser_client.get(f"/admin/svd_portal/auditevent/{event.pk}/delete/").status_code == 404
    )
