"""Subject access over HTTP: a person downloads everything the portal holds about them
(/accounts/data.zip), and OPCC staff download it for anyone (/staff/people/<id>/data.zip,
linked from the person's page in the admin, a recent second factor needed, the download
in the audit trail). Exact contents."""

import datetime
import io
import json
import zipfile
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from grants.models import Attachment
from svd_portal.models import AuditEvent, AuditKind
from tests.factories import ApplicationFactory
from tests.factories.panels import ConflictDeclarationFactory, PanelMemberFactory, ScorecardFactory
from tests.second_factor import force_login_password_only, give_second_factor


def read_zip(response) -> dict[str, bytes]:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Cache-Control"] == "private, no-store"
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_a_provider_downloads_everything_held_about_them(client, provider_user, attachment_storage):
    organisation = provider_user.memberships.get().organisation
    application = ApplicationFactory(
        organisation=organisation,
        created_by=provider_user,
        reference="OPN-0007",
        title="Street sport",
        amount_requested=Decimal("4500.00"),
    )
    Attachment.objects.create(
        application=application,
        file=attachment_storage.save("plan.pdf", ContentFile(b"%PDF-1.7 the plan")),
        original_name="plan.pdf",
        content_type="application/pdf",
        size=17,
        uploaded_by=provider_user,
    )
    # Someone else's application of the same organisation: not theirs.
    ApplicationFactory(organisation=organisation, reference="OPN-0008")
    client.force_login(provider_user)
    files = read_zip(client.get("/accounts/data.zip"))

    attachment = Attachment.objects.get()
    assert sorted(files) == [
        "README.txt",
        "account.json",
        "applications.json",
        "audit_trail.json",
        "decision_records.json",
        f"files/applications/OPN-0007/{attachment.pk}-plan.pdf",
        "memberships.json",
        "monitoring_returns.json",
        "panel_declarations.json",
        "panel_scores.json",
    ]
    assert files[f"files/applications/OPN-0007/{attachment.pk}-plan.pdf"] == b"%PDF-1.7 the plan"
    account = json.loads(files["account.json"])
    assert account == [
        {
            "email": "provider@example.org",
            "full_name": provider_user.full_name,
            "roles": ["Provider"],
            "active": True,
            "joined": _json_time(provider_user.date_joined),
            "last_signed_in": account[0]["last_signed_in"],
            "second_factor_set_up": False,
            "recovery_codes_left": 0,
        }
    ]
    assert account[0]["last_signed_in"] is not None
    membership = provider_user.memberships.get()
    assert json.loads(files["memberships.json"]) == [
        {
            "organisation": "Seaham Street Sport",
            "status": membership.get_status_display(),
            "authorised_signatory": membership.is_signatory,
            "asked_on": _json_time(membership.requested_at),
            "decided_on": _json_time(membership.decided_at),
        }
    ]
    assert json.loads(files["applications.json"]) == [
        {
            "reference": "OPN-0007",
            "round": application.round.title,
            "organisation": "Seaham Street Sport",
            "title": "Street sport",
            "status": "Draft",
            "amount_requested": "4500.00",
            "written_by_them": True,
            "submitted_by_them": False,
            "submitted_at": None,
        }
    ]
    assert [(line["kind"], line["what"]) for line in json.loads(files["audit_trail.json"])] == [
        ("Signed in", "Signed in with a password")
    ]
    for empty in ("decision_records", "monitoring_returns", "panel_declarations", "panel_scores"):
        assert json.loads(files[f"{empty}.json"]) == []
    # Their own download is in the audit trail too.
    assert (
        AuditEvent.objects.filter(
            kind=AuditKind.DOWNLOAD, user=provider_user, path="/accounts/data.zip"
        ).count()
        == 1
    )


def _json_time(value):
    """A time as the ZIP writes it: UK time, to the microsecond, with its offset."""
    return None if value is None else timezone.localtime(value).isoformat()


def test_staff_download_a_panel_members_declarations_and_scores(
    client_as, staff_user, panel_member_user
):
    member = PanelMemberFactory(user=panel_member_user)
    declaration = ConflictDeclarationFactory(member=member, declared_interest=True)
    scorecard = ScorecardFactory(member=member, submitted=True, scores=[5, 3])
    criteria = list(scorecard.application.round.criteria.order_by("number"))
    staff = client_as(staff_user)
    files = read_zip(staff.get(f"/staff/people/{panel_member_user.pk}/data.zip"))
    assert json.loads(files["panel_declarations.json"]) == [
        {
            "application": declaration.application.reference,
            "has_interest": True,
            "interest": declaration.interest,
            "conflicted": declaration.is_conflict,
            "declared_at": _json_time(declaration.declared_at),
        }
    ]
    assert json.loads(files["panel_scores.json"]) == [
        {
            "application": scorecard.application.reference,
            "status": "Submitted",
            "submitted_at": _json_time(scorecard.submitted_at),
            "total": str(scorecard.total),
            "scores": [
                {"criterion": criteria[0].title, "score": 5, "comment": ""},
                {"criterion": criteria[1].title, "score": 3, "comment": ""},
            ],
        }
    ]
    assert json.loads(files["account.json"])[0]["email"] == panel_member_user.email
    download = AuditEvent.objects.get(kind=AuditKind.DOWNLOAD)
    assert (download.user, download.path) == (
        staff_user,
        f"/staff/people/{panel_member_user.pk}/data.zip",
    )


def test_staff_subject_access_needs_a_recent_second_factor(client, staff_user, provider_user):
    force_login_password_only(client, staff_user)
    give_second_factor(client, staff_user, at=timezone.now() - datetime.timedelta(minutes=20))
    response = client.get(f"/staff/people/{provider_user.pk}/data.zip")
    assert (
        response["Location"]
        == f"/accounts/two-factor/?next=%2Fstaff%2Fpeople%2F{provider_user.pk}%2Fdata.zip"
    )
    assert not AuditEvent.objects.filter(kind=AuditKind.DOWNLOAD).exists()


@pytest.mark.parametrize("who", ["provider_user", "panel_member_user", "ceo_user", "pcc_user"])
def test_only_opcc_staff_download_someone_elses_data(client_as, request, staff_user, who):
    response = client_as(request.getfixturevalue(who)).get(
        f"/staff/people/{staff_user.pk}/data.zip"
    )
    assert response.status_code == 403


def test_the_admin_page_of_a_person_links_to_their_data(client_as, staff_user, provider_user):
    page = client_as(staff_user).get(f"/admin/partners/user/{provider_user.pk}/change/")
    assert f'href="/staff/people/{provider_user.pk}/data.zip"' in page.content.decode()
