"""The admin: OPCC staff read decision records there and change nothing: records are
drafted, edited and moved through the portal's pages, so every change is checked and
recorded in the field history."""

import pytest
from django.core.files.base import ContentFile

from decisions.enums import DecisionStatus
from decisions.models import DecisionRecord
from partners.models import User

from .conftest import RECORD

D = DecisionStatus
FORM = {
    "title": "Changed in the admin",
    "received_on": "2024-03-01",
    "section_a": "Changed.",
    "decision_text": "Changed.",
    "publish_section_b": "on",
    "sensitivity_reason": "",
    "exemption_basis": "",
    "deferral_reasons": "",
}


@pytest.mark.parametrize(
    "status", [D.DRAFT, D.AWAITING_APPROVAL, D.AWAITING_SIGNATURE, D.SIGNED, D.PUBLISHED]
)
def test_admin_change_of_a_record_is_refused(record_in, staff_client, status):
    record = record_in(status)
    response = staff_client.post(
        f"/admin/decisions/decisionrecord/{record.pk}/change/",
        FORM,
    )
    assert response.status_code == 403
    after = DecisionRecord.objects.get(pk=record.pk)
    assert (after.title, after.section_a, after.publish_section_b, after.status) == (
        RECORD["title"],
        RECORD["section_a"],
        False,
        status,
    )


def test_admin_change_page_of_a_signed_record_is_read_only(record_in, staff_client):
    record = record_in(D.PUBLISHED)
    response = staff_client.get(f"/admin/decisions/decisionrecord/{record.pk}/change/")
    assert response.status_code == 200
    assert 'name="title"' not in response.content.decode()
    assert 'name="_save"' not in response.content.decode()


@pytest.mark.parametrize("status", [D.DRAFT, D.PUBLISHED])
def test_admin_delete_is_refused(record_in, staff_client, status):
    record = record_in(status)
    response = staff_client.post(
        f"/admin/decisions/decisionrecord/{record.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 403
    assert DecisionRecord.objects.filter(pk=record.pk).exists()


# Regression: the admin showed Section B as a link to the file's URL, and a private file has
# none, so the change page of any record with a Section B report was a 500 (found by
# tests/security/test_access_matrix.py).
@pytest.mark.parametrize("status", [D.DRAFT, D.PUBLISHED])
def test_admin_change_page_of_a_record_with_section_b_links_to_the_staff_page(
    record_in, staff_client, status
):
    record = record_in(status, section_b=b"Private advice to the PCC.")
    response = staff_client.get(f"/admin/decisions/decisionrecord/{record.pk}/change/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'href="/staff/decisions/{record.pk}/section-b/"' in html
    assert 'name="section_b"' not in html


# Regression: the same for the redacted copy, added beside Section B with the admin still
# showing it as a link to its URL: a 500 (found by tests/security/test_access_matrix.py).
@pytest.mark.parametrize("status", [D.DRAFT, D.PUBLISHED])
def test_admin_change_page_of_a_record_with_a_redacted_section_b_links_to_the_staff_page(
    record_in, staff_client, status, section_b_storage, monkeypatch
):
    monkeypatch.setattr(
        DecisionRecord._meta.get_field("section_b_redacted"), "storage", section_b_storage
    )
    redacted = ContentFile(b"Advice, redacted.", name="b.txt")
    record = record_in(status, section_b_redacted=redacted)
    response = staff_client.get(f"/admin/decisions/decisionrecord/{record.pk}/change/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'href="/staff/decisions/{record.pk}/section-b/redacted/"' in html
    assert 'name="section_b_redacted"' not in html


@pytest.mark.parametrize("status", [D.DRAFT, D.PUBLISHED])
def test_admin_change_of_a_record_is_refused_to_a_superuser_too(record_in, client, status):
    superuser = User.objects.create_superuser(
        "root@example.org", "correct-horse-battery-staple", full_name="Root Admin"
    )
    client.force_login(superuser)
    record = record_in(status)

    response = client.post(f"/admin/decisions/decisionrecord/{record.pk}/change/", FORM)

    assert response.status_code == 403
    after = DecisionRecord.objects.get(pk=record.pk)
    assert (after.title, after.section_a, after.status) == (
        RECORD["title"],
        RECORD["section_a"],
        status,
    )


def test_admin_add_of_a_record_is_refused(client, staff_user):
    client.force_login(staff_user)

    response = client.post("/admin/decisions/decisionrecord/add/", FORM)

    assert response.status_code == 403
    assert not DecisionRecord.objects.exists()
