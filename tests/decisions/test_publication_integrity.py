"""What the publication scheme says is what happens: a correction inherits the deferral of
the record it corrects, and a withheld Section B is never also published (a redacted copy
can be)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.test import Client

from decisions import services
from decisions.enums import DecisionStatus as D
from decisions.models import DecisionRecord
from tests.factories.partners import PASSWORD

from .conftest import DEFERRAL, RECORD

FULL = b"Section B: the bidders' prices (confidential).\n"
REDACTED = b"Section B: the bidders' prices [redacted: section 43].\n"
S43 = "Section 43 (commercial interests), Freedom of Information Act 2000"


def form(**fields):
    data = {**RECORD, "received_on": "2024-03-01"}
    data.update(fields)
    return data


def long_date(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


@pytest.fixture
def deferred_original(make_record, future_day):
    return make_record(D.SIGNED, **DEFERRAL, deferred_until=future_day)


def take_to_signature(record, *, staff_user, ceo_user, pcc_user):
    record = services.decision_submit(record=record, by=staff_user)
    record = services.decision_approve(
        record=record, by=ceo_user, advice_confirmed=True, name="Helen Carter"
    )
    return services.decision_sign(
        record=record, by=pcc_user, outcome="approved", declaration="None", password=PASSWORD
    )


# --- 5. A correction inherits the deferral --------------------------------------------------


def test_drafting_a_correction_over_http_inherits_the_deferral(
    staff_client, deferred_original, future_day
):
    response = staff_client.post(f"/staff/decisions/{deferred_original.pk}/correct/")
    correction = DecisionRecord.objects.get(corrects=deferred_original)
    assert response.status_code == 302
    assert (
        correction.publication_deferred,
        correction.deferred_until,
        correction.deferral_reasons,
    ) == (True, future_day, DEFERRAL["deferral_reasons"])


def test_a_signed_correction_of_a_deferred_record_is_not_published_before_it(
    staff_client, deferred_original, future_day, staff_user, ceo_user, pcc_user
):
    staff_client.post(f"/staff/decisions/{deferred_original.pk}/correct/")
    correction = DecisionRecord.objects.get(corrects=deferred_original)
    correction = take_to_signature(
        correction, staff_user=staff_user, ceo_user=ceo_user, pcc_user=pcc_user
    )
    assert correction.status == D.SIGNED
    assert Client().get(f"/decisions/{correction.reference}/").status_code == 404
    services.decisions_publish_due(today=future_day)
    assert Client().get(f"/decisions/{correction.reference}/").status_code == 200


def test_lifting_the_inherited_deferral_without_reasons_is_refused_over_http(
    staff_client, deferred_original, future_day
):
    staff_client.post(f"/staff/decisions/{deferred_original.pk}/correct/")
    correction = DecisionRecord.objects.get(corrects=deferred_original)
    response = staff_client.post(
        f"/staff/decisions/{correction.pk}/edit/", form(title="Correction: the amounts")
    )
    assert response.status_code == 200
    assert (
        f"{deferred_original.reference} is not to be published until {long_date(future_day)}: "
        "defer this correction until then too, or give the reasons for publishing it earlier"
    ) in response.content.decode()
    correction.refresh_from_db()
    assert (correction.publication_deferred, correction.title) == (
        True,
        f"Correction to {deferred_original.reference}: {deferred_original.title}",
    )


def test_an_earlier_date_without_reasons_is_refused_too(make_record, deferred_original, staff_user):
    correction = services.decision_correct(record=deferred_original, by=staff_user)
    with pytest.raises(ValidationError) as caught:
        services.decision_update(
            record=correction,
            by=staff_user,
            fields={
                "deferred_until": deferred_original.deferred_until - datetime.timedelta(days=1)
            },
        )
    assert list(caught.value.message_dict) == ["deferral_lifted_reasons"]


def test_staff_lift_the_deferral_with_recorded_reasons_and_it_publishes_at_once(
    staff_client, deferred_original, staff_user, ceo_user, pcc_user
):
    staff_client.post(f"/staff/decisions/{deferred_original.pk}/correct/")
    correction = DecisionRecord.objects.get(corrects=deferred_original)
    reasons = "The error is in a public figure and must be corrected now."
    response = staff_client.post(
        f"/staff/decisions/{correction.pk}/edit/",
        form(title="Correction: the amounts", deferral_lifted_reasons=reasons),
    )
    assert response.status_code == 302
    correction = take_to_signature(
        DecisionRecord.objects.get(pk=correction.pk),
        staff_user=staff_user,
        ceo_user=ceo_user,
        pcc_user=pcc_user,
    )
    assert (correction.status, correction.deferral_lifted_reasons) == (D.PUBLISHED, reasons)
    staff_page = staff_client.get(f"/staff/decisions/{correction.pk}/").content.decode()
    assert f"Published before {deferred_original.reference}" in staff_page
    assert reasons in staff_page


def test_publishing_a_deferred_record_early_is_refused(deferred_original, future_day):
    with pytest.raises(ValidationError) as caught:
        services.decision_publish(record=deferred_original, by=None)
    assert caught.value.messages == [
        f"Publication of {deferred_original.reference} is deferred until {long_date(future_day)}"
    ]
    assert DecisionRecord.objects.get(pk=deferred_original.pk).status == D.SIGNED


# --- 6. Withheld means withheld --------------------------------------------------------------


def test_a_commercially_sensitive_section_b_cannot_also_be_published_over_http(staff_client):
    response = staff_client.post(
        "/staff/decisions/new/",
        form(
            section_b=SimpleUploadedFile("report.txt", FULL),
            publish_section_b="on",
            commercially_sensitive="on",
            sensitivity_reason="Bidders' prices.",
            exemption_basis=S43,
        ),
    )
    assert response.status_code == 200
    assert (
        "A commercially sensitive Section B report is withheld, so it cannot also be published: "
        "upload a redacted copy for publication instead"
    ) in response.content.decode()
    assert not DecisionRecord.objects.exists()


def test_the_database_refuses_a_published_sensitive_section_b(make_record):
    record = make_record(
        commercially_sensitive=True, sensitivity_reason="Prices.", exemption_basis=S43
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        DecisionRecord.objects.filter(pk=record.pk).update(publish_section_b=True)


def test_a_redacted_section_b_is_published_beside_the_withheld_report(
    staff_client, staff_user, ceo_user, pcc_user
):
    response = staff_client.post(
        "/staff/decisions/new/",
        form(
            section_b=SimpleUploadedFile("report.txt", FULL),
            section_b_redacted=SimpleUploadedFile("report-redacted.txt", REDACTED),
            commercially_sensitive="on",
            sensitivity_reason="Bidders' prices.",
            exemption_basis=S43,
        ),
    )
    assert response.status_code == 302
    record = DecisionRecord.objects.get()
    public = Client()
    # Nothing is public before the record is.
    record = services.decision_submit(record=record, by=staff_user)
    assert public.get(f"/decisions/{record.reference}/section-b/redacted/").status_code == 404
    record = services.decision_approve(
        record=record, by=ceo_user, advice_confirmed=True, name="Helen Carter"
    )
    record = services.decision_sign(
        record=record, by=pcc_user, outcome="approved", declaration="None", password=PASSWORD
    )
    assert record.status == D.PUBLISHED

    redacted = public.get(f"/decisions/{record.reference}/section-b/redacted/")
    assert redacted.status_code == 200
    assert b"".join(redacted.streaming_content) == REDACTED
    assert redacted["Content-Disposition"] == (
        f'attachment; filename="{record.reference}-section-b-redacted.txt"'
    )
    assert public.get(f"/decisions/{record.reference}/section-b/").status_code == 404
    page = public.get(f"/decisions/{record.reference}/").content.decode()
    assert "download the redacted Section B report" in page
    assert "the full report is withheld" in page
    assert "download the Section B report<" not in page
    # Staff still have the full report.
    full = staff_client.get(f"/staff/decisions/{record.pk}/section-b/")
    assert b"".join(full.streaming_content) == FULL
