"""Hostile posts to the decision records: creating and editing one (with a Section B report
of any name, type and size), drafting one from a round, approving, returning and signing;
and the Section B reports that were once a 500 or lost.
"""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import strategies as st

from decisions.enums import DecisionStatus
from decisions.models import DecisionRecord, DecisionStatusChange
from grants.models import FundingRound
from tests.decisions import conftest as decisions
from tests.factories.partners import PASSWORD

from .hostile import (
    PAYLOADS,
    PDF,
    SIGN_IN_TABLES,
    Post,
    Upload,
    check_form,
    check_post,
    form_data,
    hostile,
    hostile_bool,
    hostile_choice,
    hostile_date,
    hostile_file,
    hostile_text,
    last,
    page_shows,
    stripped,
    valid_text,
)

# Autouse, here only: Section B reports in tmp_path (other security tests check the real storage).
section_b_storage = decisions.section_b_storage


def record_fields(section_b):
    valid = {
        "title": valid_text(300),
        "received_on": st.dates(datetime.date(2000, 1, 1), datetime.date(2030, 12, 31)).map(str),
        "section_a": valid_text(3000),
        "decision_text": valid_text(1000),
        "publish_section_b": st.sampled_from(["", "on"]),
        "commercially_sensitive": "",
        "sensitivity_reason": valid_text(500, min_size=0),
        "exemption_basis": valid_text(300, min_size=0),
        "publication_deferred": "",
        "deferral_reasons": "",
        "deferred_until": "",
    }
    bad = {
        "received_on": hostile_date(),
        "commercially_sensitive": hostile_bool(),
        "publication_deferred": hostile_bool(),
        "deferral_reasons": hostile_text(),
        "deferred_until": hostile_date(),
    }
    if section_b is not None:
        valid["section_b"] = section_b
    return valid, bad


def record_saved(posted, record=None):
    def check(response, client):
        saved = record or DecisionRecord.objects.latest("pk")
        saved.refresh_from_db()
        assert saved.title == stripped(posted, "title")
        assert saved.section_a == stripped(posted, "section_a")
        assert str(saved.received_on) == last(posted, "received_on")
        # Django drops a file part whose name it cannot use ("..", only control
        # characters) before any view sees it: then there is no report to keep.
        assert bool(saved.section_b) == ("section_b" in response.wsgi_request.FILES)
        page_shows(client, response["Location"], saved.title)

    return check


@hostile(25)
def test_record_create(db, data, staff_user):
    upload = data.draw(st.one_of(st.none(), hostile_file(limit=4096)))
    valid, bad = record_fields(upload)
    posted = data.draw(form_data(valid=valid, hostile=bad))
    url = reverse("decisions:staff-create")
    check_form(data, url, posted, staff_user, accepted=record_saved(posted))


@hostile(20)
def test_record_edit(db, data, staff_user, make_record):
    record = make_record(title=f"Draft {PAYLOADS[0]}")
    upload = data.draw(st.one_of(st.none(), hostile_file(limit=4096)))
    valid, bad = record_fields(upload)
    posted = data.draw(form_data(valid=valid, hostile=bad))
    url = reverse("decisions:staff-edit", args=[record.pk])
    check_form(data, url, posted, staff_user, watch=[record], accepted=record_saved(posted, record))


@pytest.mark.parametrize("view", ["create", "edit"])
@hostile(15)
def test_record_section_b(db, data, view, staff_user, make_record):
    """A record otherwise valid, with a Section B report of any name, type and size."""
    record = make_record(title=f"Draft {PAYLOADS[0]}")
    valid, _ = record_fields(data.draw(hostile_file(limit=4096)))
    posted = data.draw(form_data(valid=valid, most=0))
    if view == "create":
        url, watch, accepted = reverse("decisions:staff-create"), [], record_saved(posted)
    else:
        url, watch = reverse("decisions:staff-edit", args=[record.pk]), [record]
        accepted = record_saved(posted, record)
    check_post(Post(url, posted, user=staff_user, watch=watch, accepted=accepted))


@hostile(15)
def test_record_from_round(db, data, staff_user, recommended_round, open_round):
    FundingRound.objects.filter(pk=recommended_round.pk).update(title=f"Round {PAYLOADS[1]}")
    posted = data.draw(
        form_data(
            valid={"funding_round": recommended_round.pk},
            hostile={"funding_round": hostile_choice(recommended_round.pk, open_round.pk)},
        )
    )

    def drafted(response, client):
        record = DecisionRecord.objects.get(funding_round=recommended_round)
        assert record.status == DecisionStatus.DRAFT

    url = reverse("decisions:staff-from-round")
    check_form(data, url, posted, staff_user, accepted=drafted)


@hostile(20)
def test_record_approve(db, data, ceo_user, make_record):
    record = make_record(DecisionStatus.AWAITING_APPROVAL, title=f"Awaiting {PAYLOADS[2]}")
    posted = data.draw(
        form_data(
            valid={"advice_confirmed": "on", "name": valid_text(150), "role": valid_text(150)},
            hostile={"advice_confirmed": hostile_bool()},
        )
    )

    def approved(response, client):
        record.refresh_from_db()
        assert record.status == DecisionStatus.AWAITING_SIGNATURE
        assert record.officer_approval_name == stripped(posted, "name")
        assert record.officer_approval_role == stripped(posted, "role")

    url = reverse("decisions:staff-approve", args=[record.pk])
    check_form(data, url, posted, ceo_user, watch=[record], accepted=approved)


@hostile(15)
def test_record_return(db, data, ceo_user, make_record):
    record = make_record(DecisionStatus.AWAITING_APPROVAL, title=f"Awaiting {PAYLOADS[3]}")
    posted = data.draw(form_data(valid={"comments": valid_text(5000)}))

    def returned(response, client):
        record.refresh_from_db()
        assert record.status == DecisionStatus.DRAFT
        change = DecisionStatusChange.objects.filter(record=record).latest("pk")
        assert change.reason == stripped(posted, "comments")

    url = reverse("decisions:staff-return", args=[record.pk])
    check_form(data, url, posted, ceo_user, watch=[record], accepted=returned)


@hostile(20)
def test_record_sign(db, data, pcc_user, make_record):
    record = make_record(DecisionStatus.AWAITING_SIGNATURE, title=f"To sign {PAYLOADS[4]}")
    posted = data.draw(
        form_data(
            valid={
                "outcome": st.sampled_from(["approved", "not_approved"]),
                "declaration": valid_text(5000),
                "password": PASSWORD,
            },
            hostile={"outcome": hostile_choice("approved", "not_approved")},
        )
    )

    def signed(response, client):
        record.refresh_from_db()
        assert record.status in (DecisionStatus.SIGNED, DecisionStatus.PUBLISHED)
        assert record.outcome == last(posted, "outcome")
        assert record.declaration == stripped(posted, "declaration")
        page_shows(client, response["Location"], record.title)

    # The password is checked like a sign-in, so a wrong one is counted by django-axes:
    # its attempt tables change on a refused signature by design, and only they.
    url = reverse("decisions:staff-sign", args=[record.pk])
    check_form(
        data,
        url,
        posted,
        pcc_user,
        watch=[record],
        ignore_tables=SIGN_IN_TABLES - {"django_session"},
        accepted=signed,
    )


# --- The bugs these tests found, each kept as the exact input that found it ---------------------


SECTION_B_RECORD = {
    "title": "Knife crime awareness in schools",
    "received_on": "2024-03-01",
    "section_a": "A request to fund a campaign.",
    "decision_text": "To approve the campaign.",
}


def test_record_section_b_named_longer_than_the_file_system_takes_is_stored(staff_client):
    """Was a 500, with the record saved and its report lost: 64 astral-plane letters are
    256 bytes, and the report was stored under the name it was uploaded with."""
    name = "\U0001d4b6" * 64 + ".pdf"

    response = staff_client.post(
        reverse("decisions:staff-create"),
        {**SECTION_B_RECORD, "section_b": Upload(name, PDF, "application/pdf")},
    )

    record = DecisionRecord.objects.get()
    assert response.status_code == 302
    assert record.section_b.name.endswith("-section-b.pdf")
    download = staff_client.get(reverse("decisions:staff-section-b", args=[record.pk]))
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Disposition"] == 'attachment; filename="draft-section-b.pdf"'


def test_record_section_b_that_cannot_be_stored_leaves_no_record(staff_user, monkeypatch):
    """The record and its report are saved together or not at all: the record used to be
    kept when storing the report failed."""
    field = DecisionRecord._meta.get_field("section_b")

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(field.storage, "save", disk_full)
    client = Client(raise_request_exception=False)
    client.force_login(staff_user)

    response = client.post(
        reverse("decisions:staff-create"),
        {**SECTION_B_RECORD, "section_b": Upload("report.pdf", PDF, "application/pdf")},
    )

    assert response.status_code == 500
    assert DecisionRecord.objects.count() == 0


def test_record_draft_with_section_b_to_publish_shows_its_page(staff_client):
    """Was a 500 on the page after saving: the public link to the report needs the
    reference, which a draft does not have yet."""
    response = staff_client.post(
        reverse("decisions:staff-create"),
        {
            **SECTION_B_RECORD,
            "publish_section_b": "on",
            "section_b": Upload("report.pdf", PDF, "application/pdf"),
        },
        follow=True,
    )

    assert response.status_code == 200
    assert "Section B report: " in response.content.decode()
