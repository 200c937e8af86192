"""Every rule the server enforces, attacked through HTTP as a browser (or a script) would."""

import csv
import datetime
import io
import zoneinfo
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.forms.models import model_to_dict
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from grants import services
from grants.enums import ApplicationStatus, Channel, RoundStatus
from grants.models import Application, ApplicationStatusChange, Attachment, FundingRound
from tests.factories import (
    ApplicationFactory,
    BudgetLineFactory,
    FundingRoundFactory,
    MembershipFactory,
    OrganisationFactory,
    complete_application,
)
from tests.factories.grants import EvidenceStrandFactory
from tests.grants.criteria import criteria_data

S = ApplicationStatus
LOGIN = "/accounts/login/"
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n"


def _text(response) -> str:
    return response.content.decode()


def _on_page(response, message: str) -> bool:
    return escape(message) in _text(response)


def _login_redirect(url: str) -> str:
    return f"{LOGIN}?next={quote(url, safe='/')}"


def _pdf(size: int) -> bytes:
    return (PDF + b"%" + b"x" * size)[:size]


def _stored_files(storage) -> list[str]:
    root = Path(storage.location)
    if not root.exists():
        return []
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def _snapshot(application):
    application = Application.objects.get(pk=application.pk)
    return {
        "fields": model_to_dict(application),
        "updated_at": application.updated_at,
        "budget_lines": list(
            application.budget_lines.order_by("pk").values_list(
                "pk", "item", "financial_year", "amount"
            )
        ),
        "attachments": list(application.attachments.values_list("pk", "file")),
        "status_changes": application.status_changes.count(),
    }


def _late(funding_round):
    FundingRound.objects.filter(pk=funding_round.pk).update(
        opens_at=timezone.now() - datetime.timedelta(days=30),
        closes_at=timezone.now() - datetime.timedelta(minutes=1),
    )


# --- Public pages -------------------------------------------------------------------


def test_round_list_anonymous_sees_open_and_past_rounds_but_no_draft(client, open_round):
    past = FundingRoundFactory(
        title="Last year's grants",
        opens_at=timezone.now() - datetime.timedelta(days=400),
        closes_at=timezone.now() - datetime.timedelta(days=300),
        status=RoundStatus.DECIDED,
    )
    FundingRoundFactory(title="Secret draft round", status=RoundStatus.DRAFT)

    response = client.get("/funding/")

    assert response.status_code == 200
    assert response.context["open_rounds"] == [open_round]
    assert response.context["past_rounds"] == [past]
    assert "Secret draft round" not in _text(response)


def test_round_detail_anonymous_sees_money_caps_priorities_and_criteria(client, open_round):
    response = client.get(f"/funding/{open_round.slug}/")

    assert response.status_code == 200
    for text in (
        "£700,000",
        "Up to £5,000",
        "Up to £40,000",
        "Young people at risk",
        "The night-time economy",
        "Evidence-based practice",
        "Multi-agency delivery",
        "Start an application",
    ):
        assert text in _text(response), text


def test_round_pages_write_times_as_people_do(client, open_round):
    closes = open_round.closes_at.astimezone(zoneinfo.ZoneInfo("Europe/London"))
    closes = closes.replace(hour=17, minute=0, second=0, microsecond=0)
    FundingRound.objects.filter(pk=open_round.pk).update(closes_at=closes)
    expected = f"{closes.day} {closes:%B %Y}, 5:00pm"
    for path in ("/funding/", f"/funding/{open_round.slug}/"):
        html = client.get(path).content.decode()
        assert expected in html, path
        assert "p.m." not in html, path


def test_round_detail_closed_round_has_no_start_button(client, db):
    closed = FundingRoundFactory(
        opens_at=timezone.now() - datetime.timedelta(days=30),
        closes_at=timezone.now() - datetime.timedelta(days=1),
        status=RoundStatus.CLOSED,
    )

    response = client.get(f"/funding/{closed.slug}/")

    assert response.status_code == 200
    assert "This round is not open for applications." in _text(response)
    assert "Start an application" not in _text(response)


@pytest.mark.parametrize("path", ["/funding/{slug}/", "/funding/{slug}/apply/"])
def test_round_pages_draft_round_404(path, client, provider_user):
    draft_round = FundingRoundFactory(status=RoundStatus.DRAFT)
    client.force_login(provider_user)

    response = client.get(path.format(slug=draft_round.slug))

    assert response.status_code == 404


# --- Anonymous visitors ---------------------------------------------------------------


def _urls_for(application, attachment_pk=1, line_pk=1):
    ref = application.reference
    slug = application.round.slug
    return {
        "mine": reverse("grants:applications-mine"),
        "start": reverse("grants:application-start", args=[slug]),
        "detail": reverse("grants:application-detail", args=[ref]),
        "budget": reverse("grants:application-budget", args=[ref]),
        "budget-remove": reverse("grants:application-budget-remove", args=[ref, line_pk]),
        "attachments": reverse("grants:application-attachments", args=[ref]),
        "attachment": reverse("grants:application-attachment", args=[ref, attachment_pk]),
        "attachment-remove": reverse(
            "grants:application-attachment-remove", args=[ref, attachment_pk]
        ),
        "submit": reverse("grants:application-submit", args=[ref]),
        "receipt": reverse("grants:application-receipt", args=[ref]),
        "withdraw": reverse("grants:application-withdraw", args=[ref]),
        **{
            f"section-{section}": reverse("grants:application-section", args=[ref, section])
            for section in ("project", "priorities", "evidence", "delivery", "outcomes")
        },
        "section-declarations": reverse("grants:application-section", args=[ref, "declarations"]),
        "staff-rounds": reverse("grants:staff-rounds"),
        "staff-round-create": reverse("grants:staff-round-create"),
        "staff-round": reverse("grants:staff-round-applications", args=[slug]),
        "staff-round-edit": reverse("grants:staff-round-edit", args=[slug]),
        "staff-round-move": reverse("grants:staff-round-move", args=[slug]),
        "staff-log-bid": reverse("grants:staff-round-log-bid", args=[slug]),
        "staff-csv": reverse("grants:staff-round-export", args=[slug, "csv"]),
        "staff-xlsx": reverse("grants:staff-round-export", args=[slug, "xlsx"]),
        "staff-application": reverse("grants:staff-application-detail", args=[ref]),
        "staff-eligibility": reverse("grants:staff-application-eligibility", args=[ref]),
        "staff-invite": reverse("grants:staff-application-invite", args=[ref]),
    }


ANONYMOUS_GETS = [
    "mine",
    "start",
    "detail",
    "budget",
    "attachments",
    "attachment",
    "submit",
    "receipt",
    "withdraw",
    "section-project",
    "staff-rounds",
    "staff-round-create",
    "staff-round",
    "staff-round-edit",
    "staff-log-bid",
    "staff-csv",
    "staff-xlsx",
    "staff-application",
]
ANONYMOUS_POSTS = [
    "submit",
    "withdraw",
    "section-project",
    "budget",
    "budget-remove",
    "attachment-remove",
    "staff-round-move",
    "staff-eligibility",
    "staff-invite",
]


@pytest.mark.parametrize("name", ANONYMOUS_GETS)
def test_provider_and_staff_pages_anonymous_get_redirected_to_login(name, client, draft):
    url = _urls_for(draft)[name]

    response = client.get(url)

    assert response.status_code == 302
    assert response.url == _login_redirect(url)


@pytest.mark.parametrize("name", ANONYMOUS_POSTS)
def test_provider_and_staff_posts_anonymous_redirected_and_nothing_changes(name, client, draft):
    draft = complete_application(draft)
    before = _snapshot(draft)
    url = _urls_for(draft, line_pk=draft.budget_lines.get().pk)[name]

    response = client.post(url, {"title": "Changed", "to_status": "closed", "eligible": "no"})

    assert response.status_code == 302
    assert response.url == _login_redirect(url)
    assert _snapshot(draft) == before
    assert FundingRound.objects.get(pk=draft.round_id).status == RoundStatus.OPEN


# --- Another organisation's application ------------------------------------------------------


@pytest.fixture
def victim(draft, provider_user, attachment_storage):
    """Provider A's complete draft with a budget line and an attachment: all of it could leak."""
    application = complete_application(draft)
    services.attachment_add(
        application=application,
        by=provider_user,
        uploaded_file=SimpleUploadedFile("safeguarding.pdf", _pdf(2048)),
    )
    return application


OTHER_ORG_GETS = [
    "detail",
    "section-project",
    "section-priorities",
    "section-evidence",
    "section-delivery",
    "section-outcomes",
    "section-declarations",
    "budget",
    "attachments",
    "attachment",
    "submit",
    "receipt",
    "withdraw",
]
OTHER_ORG_POSTS = [
    "section-project",
    "section-declarations",
    "budget",
    "budget-remove",
    "attachments",
    "attachment-remove",
    "submit",
    "withdraw",
]


@pytest.mark.parametrize("name", OTHER_ORG_GETS)
def test_application_pages_other_organisation_get_404(name, other_client, victim):
    url = _urls_for(
        victim,
        attachment_pk=victim.attachments.get().pk,
        line_pk=victim.budget_lines.get().pk,
    )[name]

    response = other_client.get(url)

    assert response.status_code == 404
    assert victim.title not in _text(response)
    assert "safeguarding.pdf" not in _text(response)


@pytest.mark.parametrize("name", OTHER_ORG_POSTS)
def test_application_posts_other_organisation_404_and_nothing_changes(
    name, other_client, victim, attachment_storage
):
    url = _urls_for(
        victim,
        attachment_pk=victim.attachments.get().pk,
        line_pk=victim.budget_lines.get().pk,
    )[name]
    before = _snapshot(victim)
    files_before = _stored_files(attachment_storage)

    response = other_client.post(
        url,
        {
            "title": "Taken over",
            "declare_accurate": "on",
            "item": "Stolen",
            "financial_year": "2025-26",
            "amount": "1",
            "reason": "Not ours",
            "file": SimpleUploadedFile("x.pdf", _pdf(2048)),
        },
    )

    assert response.status_code == 404
    assert _snapshot(victim) == before
    assert _stored_files(attachment_storage) == files_before


def test_my_applications_lists_only_my_organisations(provider_client, draft, other_user):
    ApplicationFactory(
        round=draft.round,
        organisation=other_user.memberships.get().organisation,
        title="Holiday boxing camp",
    )

    response = provider_client.get("/applications/")

    assert response.status_code == 200
    assert [a.reference for a in response.context["applications"]] == ["VPF-0001"]
    assert "Holiday boxing camp" not in _text(response)


def test_my_applications_membership_not_yet_accepted_sees_nothing(client, draft):
    requested = MembershipFactory(organisation=draft.organisation, status="requested").user
    client.force_login(requested)

    assert client.get("/applications/").context["applications"].count() == 0
    assert client.get(f"/applications/{draft.reference}/").status_code == 404


# --- Staff pages refuse providers ----------------------------------------------------------


def _round_form_data(priorities, **overrides):
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
        "priorities": [p.pk for p in priorities],
        "unregistered_minimum": "0",
        "unregistered_maximum": "5000",
        "registered_minimum": "1,000",
        "registered_maximum": "40000",
        **criteria_data(
            [
                {
                    "weight": "60",
                    "scale_max": "5",
                    "title": "Evidence",
                    "guidance": "5: strong evidence",
                },
                {
                    "weight": "40",
                    "scale_max": "5",
                    "title": "Partners",
                    "guidance": "5: named partners",
                },
            ]
        ),
    }
    data.update(overrides)
    return data


STAFF_GETS = [
    "staff-rounds",
    "staff-round-create",
    "staff-round",
    "staff-round-edit",
    "staff-log-bid",
    "staff-csv",
    "staff-xlsx",
    "staff-application",
]
STAFF_POSTS = [
    "staff-round-create",
    "staff-round-edit",
    "staff-round-move",
    "staff-log-bid",
    "staff-eligibility",
    "staff-invite",
]


@pytest.mark.parametrize("name", STAFF_GETS)
def test_staff_pages_provider_get_403(name, other_client, draft):
    response = other_client.get(_urls_for(draft)[name])

    assert response.status_code == 403
    assert draft.title not in _text(response)


@pytest.mark.parametrize("name", STAFF_POSTS)
def test_staff_posts_provider_403_and_nothing_changes(
    name, other_client, other_user, draft, priorities
):
    submitted = complete_application(draft)
    Application.objects.filter(pk=submitted.pk).update(
        status=S.SUBMITTED, submitted_at=timezone.now()
    )
    before = _snapshot(submitted)
    data = {
        **_round_form_data(priorities, title="Hijacked"),
        "to_status": "closed",
        "eligible": "no",
        "reason": "Because",
        "organisation": other_user.memberships.get().organisation_id,
        "channel": "paper",
    }

    response = other_client.post(_urls_for(draft)[name], data)

    assert response.status_code == 403
    assert _snapshot(submitted) == before
    assert list(FundingRound.objects.values_list("title", "status")) == [
        (draft.round.title, RoundStatus.OPEN)
    ]
    assert Application.objects.count() == 1


# --- Submission through the form -----------------------------------------------------------


def test_submit_late_400_with_the_message_and_still_a_draft(provider_client, draft):
    application = complete_application(draft)
    _late(application.round)
    before = _snapshot(application)

    response = provider_client.post(f"/applications/{application.reference}/submit/")

    assert response.status_code == 400
    assert response.context["problems"] == [
        "The round is not open for applications: the closing time has passed"
    ]
    assert _on_page(response, "The round is not open for applications: the closing time has passed")
    assert _on_page(response, "The application was not submitted")
    assert _snapshot(application) == before
    assert Application.objects.get(pk=application.pk).status == S.DRAFT


def test_submit_over_the_unregistered_cap_400_and_nothing_changes(provider_client, draft):
    application = complete_application(draft, amount=Decimal("6000"))
    before = _snapshot(application)

    response = provider_client.post(f"/applications/{application.reference}/submit/")

    assert response.status_code == 400
    message = (
        "The most an unregistered organisation can ask for is £5,000; you have asked for £6,000"
    )
    assert response.context["problems"] == [message]
    assert _on_page(response, message)
    assert _snapshot(application) == before


def test_submit_budget_lines_not_adding_up_400_and_nothing_changes(provider_client, draft):
    application = complete_application(draft, amount=Decimal("4500"))
    BudgetLineFactory(application=application, item="Venue hire", amount=Decimal("500"))
    before = _snapshot(application)

    response = provider_client.post(f"/applications/{application.reference}/submit/")

    assert response.status_code == 400
    message = (
        "The budget lines add up to £5,000 but the amount requested is £4,500: "
        "they must be the same"
    )
    assert response.context["problems"] == [message]
    assert _on_page(response, message)
    assert _snapshot(application) == before


def test_submit_page_get_lists_the_problems_before_submitting(provider_client, draft):
    response = provider_client.get(f"/applications/{draft.reference}/submit/")

    assert response.status_code == 200
    assert _on_page(response, "Before you can submit")
    assert _on_page(response, "Complete the section ‘About the project’")


def test_submit_twice_makes_one_submission(provider_client, draft, provider_user):
    application = complete_application(draft)
    url = f"/applications/{application.reference}/submit/"

    first = provider_client.post(url)
    second = provider_client.post(url)

    assert first.status_code == 302
    assert first.url == f"/applications/{application.reference}/receipt/"
    assert second.status_code == 302
    assert second.url == f"/applications/{application.reference}/"
    changes = ApplicationStatusChange.objects.filter(application=application)
    assert list(changes.values_list("from_status", "to_status", "changed_by")) == [
        (S.DRAFT, S.SUBMITTED, provider_user.pk)
    ]
    application.refresh_from_db()
    assert (application.status, application.submitted_by) == (S.SUBMITTED, provider_user)
    receipt = provider_client.get(first.url)
    assert "Application submitted" in _text(receipt)
    assert application.reference in _text(receipt)


def test_submit_staff_logged_bid_with_received_time_before_closing(
    staff_client, provider_org, staff_user
):
    closes_at = timezone.localtime(timezone.now() - datetime.timedelta(hours=1)).replace(
        second=0, microsecond=0
    )
    past = FundingRoundFactory(
        opens_at=closes_at - datetime.timedelta(days=30), closes_at=closes_at
    )
    response = staff_client.post(
        f"/staff/rounds/{past.slug}/log-bid/",
        {
            "organisation": provider_org.pk,
            "channel": "paper",
            "title": "Paper bid",
            "contact_name": "Sam Hall",
            "contact_address": "12 Front Street\nDurham",
        },
    )
    bid = Application.objects.get()
    assert response.status_code == 302
    assert response.url == f"/applications/{bid.reference}/"
    assert (bid.channel, bid.created_by, bid.status) == (Channel.PAPER, staff_user, S.DRAFT)
    complete_application(bid)
    received_at = closes_at - datetime.timedelta(minutes=30)

    missing = staff_client.post(f"/applications/{bid.reference}/submit/", {})
    submitted = staff_client.post(
        f"/applications/{bid.reference}/submit/",
        {"received_at": received_at.strftime("%Y-%m-%dT%H:%M")},
    )

    assert missing.status_code == 400
    assert missing.context["problems"] == ["Enter when the bid was received"]
    assert submitted.status_code == 302
    bid.refresh_from_db()
    assert (bid.status, bid.submitted_at, bid.submitted_by) == (
        S.SUBMITTED,
        received_at,
        staff_user,
    )


def test_submit_staff_logged_bid_provider_cannot_backdate_it(provider_client, provider_org):
    closes_at = timezone.localtime(timezone.now() - datetime.timedelta(days=2))
    past = FundingRoundFactory(
        opens_at=closes_at - datetime.timedelta(days=30), closes_at=closes_at
    )
    bid = complete_application(
        ApplicationFactory(round=past, organisation=provider_org, channel=Channel.EMAIL)
    )

    provider_client.post(
        f"/applications/{bid.reference}/submit/",
        {"received_at": (closes_at - datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")},
    )

    assert Application.objects.get(pk=bid.pk).status == S.DRAFT


# --- Starting -------------------------------------------------------------------------------


def test_start_through_the_form(provider_client, provider_org, provider_user, open_round):
    response = provider_client.post(
        f"/funding/{open_round.slug}/apply/",
        {"organisation": provider_org.pk, "title": "Street sport"},
    )

    application = Application.objects.get()
    assert response.status_code == 302
    assert response.url == f"/applications/{application.reference}/"
    assert (application.reference, application.organisation, application.created_by) == (
        "VPF-0001",
        provider_org,
        provider_user,
    )


def test_start_for_an_organisation_i_do_not_belong_to_refused(
    provider_client, other_user, open_round
):
    response = provider_client.post(
        f"/funding/{open_round.slug}/apply/",
        {"organisation": other_user.memberships.get().organisation_id, "title": "Not mine"},
    )

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["organisation"]
    assert Application.objects.count() == 0


def test_start_unverified_organisation_shows_the_message(client, open_round):
    membership = MembershipFactory(organisation=OrganisationFactory(name="New Group", pending=True))
    client.force_login(membership.user)

    response = client.post(
        f"/funding/{open_round.slug}/apply/",
        {"organisation": membership.organisation_id, "title": "Project"},
    )

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "New Group must be verified by OPCC staff before it can apply"
    ]
    assert Application.objects.count() == 0


def test_start_closed_round_shows_the_message(provider_client, provider_org, open_round):
    _late(open_round)

    response = provider_client.post(
        f"/funding/{open_round.slug}/apply/",
        {"organisation": provider_org.pk, "title": "Late"},
    )

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "This round is not open for applications"
    ]
    assert Application.objects.count() == 0


# --- Attachments --------------------------------------------------------------------------


def test_attachment_exe_renamed_pdf_refused_and_nothing_stored(
    provider_client, draft, attachment_storage
):
    exe = SimpleUploadedFile(
        "budget.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 2000, "application/pdf"
    )

    response = provider_client.post(f"/applications/{draft.reference}/attachments/", {"file": exe})

    message = "The file must be a PDF, Word, Excel, OpenDocument or image file"
    assert response.status_code == 200
    assert response.context["form"].errors == {"file": [message]}
    assert _on_page(response, message)
    assert Attachment.objects.count() == 0
    assert _stored_files(attachment_storage) == []


@override_settings(ATTACHMENT_MAX_BYTES=1024)
def test_attachment_over_the_size_setting_refused_and_nothing_stored(
    provider_client, draft, attachment_storage
):
    response = provider_client.post(
        f"/applications/{draft.reference}/attachments/",
        {"file": SimpleUploadedFile("plan.pdf", _pdf(2048))},
    )

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["file"]
    assert response.context["form"].errors["file"][0].startswith("The file must be smaller than")
    assert Attachment.objects.count() == 0
    assert _stored_files(attachment_storage) == []


@override_settings(ATTACHMENT_MAX_BYTES=1024)
def test_attachment_size_message_states_a_limit_under_one_mb(
    provider_client, draft, attachment_storage
):
    response = provider_client.post(
        f"/applications/{draft.reference}/attachments/",
        {"file": SimpleUploadedFile("plan.pdf", _pdf(2048))},
    )

    assert "0 MB" not in _text(response)


def test_attachment_over_the_default_10_mb_refused(provider_client, draft, attachment_storage):
    big = _pdf(10 * 1024 * 1024 + 1)

    response = provider_client.post(
        f"/applications/{draft.reference}/attachments/",
        {"file": SimpleUploadedFile("annual-report.pdf", big)},
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"file": ["The file must be smaller than 10 MB"]}
    assert Attachment.objects.count() == 0
    assert _stored_files(attachment_storage) == []


def test_attachment_valid_pdf_stored_and_served_to_owner_and_staff_only(
    client, provider_user, second_staff_client, other_client, draft, attachment_storage
):
    content = _pdf(3000)
    client.force_login(provider_user)

    response = client.post(
        f"/applications/{draft.reference}/attachments/",
        {"file": SimpleUploadedFile("safeguarding policy.pdf", content, "text/plain")},
    )

    assert response.status_code == 302
    assert response.url == f"/applications/{draft.reference}/attachments/"
    attachment = Attachment.objects.get()
    assert (attachment.original_name, attachment.content_type, attachment.size) == (
        "safeguarding policy.pdf",
        "application/pdf",
        3000,
    )
    assert attachment.uploaded_by == provider_user
    stored = _stored_files(attachment_storage)
    assert len(stored) == 1
    assert stored[0].startswith(f"applications/{draft.pk}/")
    assert stored[0].endswith("-document.pdf")
    url = f"/applications/{draft.reference}/attachments/{attachment.pk}/"

    owner = client.get(url)
    staff = second_staff_client.get(url)
    other = other_client.get(url)
    client.logout()
    anonymous = client.get(url)

    for allowed in (owner, staff):
        assert allowed.status_code == 200
        assert b"".join(allowed.streaming_content) == content
        assert allowed["Content-Type"] == "application/pdf"
        # The portal's name for it, not the uploaded one.
        assert allowed["Content-Disposition"] == f'attachment; filename="{draft.reference}-1.pdf"'
        assert allowed["X-Content-Type-Options"] == "nosniff"
    assert other.status_code == 404
    assert anonymous.status_code == 302
    assert anonymous.url == _login_redirect(url)


def test_attachment_png_accepted(provider_client, draft, attachment_storage):
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 200

    response = provider_client.post(
        f"/applications/{draft.reference}/attachments/",
        {"file": SimpleUploadedFile("poster.png", png)},
    )

    assert response.status_code == 302
    assert Attachment.objects.get().content_type == "image/png"


def test_attachment_upload_after_submission_refused(provider_client, draft, attachment_storage):
    application = complete_application(draft)
    services.application_submit(application=application, by=application.created_by)

    response = provider_client.post(
        f"/applications/{draft.reference}/attachments/",
        {"file": SimpleUploadedFile("late.pdf", _pdf(2048))},
    )

    assert response.status_code == 302
    assert response.url == f"/applications/{draft.reference}/"
    assert Attachment.objects.count() == 0
    assert _stored_files(attachment_storage) == []


def test_attachments_storage_is_private():
    storage = Attachment._meta.get_field("file").storage

    # Outside MEDIA_ROOT, and with no URL to serve it from.
    assert Path(storage.location) == Path(settings.PRIVATE_ROOT)
    assert not Path(storage.location).is_relative_to(Path(settings.MEDIA_ROOT))
    with pytest.raises(ValueError):
        storage.url("applications/1/x.pdf")


# --- Sections ------------------------------------------------------------------------------


def test_section_over_the_word_limit_shows_the_error_and_keeps_the_text(provider_client, draft):
    summary = " ".join(f"sessions{n}" for n in range(151))
    before = _snapshot(draft)

    response = provider_client.post(
        f"/applications/{draft.reference}/project/",
        {
            "title": "Street sport on the seafront",
            "summary": summary,
            "description": "Friday sessions",
            "amount_requested": "£4,500",
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"summary": ["Use 150 words or fewer (you have 151)"]}
    assert _on_page(response, "Use 150 words or fewer (you have 151)")
    assert summary in _text(response)
    assert "Friday sessions" in _text(response)
    assert _snapshot(draft) == before


def test_section_saves_a_draft_with_money_as_people_type_it(provider_client, draft):
    response = provider_client.post(
        f"/applications/{draft.reference}/project/",
        {
            "title": "Street sport",
            "summary": "Sport",
            "description": "Friday sessions",
            "amount_requested": "£4,500.50",
        },
    )

    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.title, draft.summary, draft.amount_requested) == (
        "Street sport",
        "Sport",
        Decimal("4500.50"),
    )


def test_section_priority_the_round_does_not_fund_refused(provider_client, draft):
    unfunded = FundingRoundFactory(priorities=None)
    other = complete_application(ApplicationFactory(round=unfunded)).priorities.get()

    response = provider_client.post(
        f"/applications/{draft.reference}/priorities/", {"priorities": [other.pk]}
    )

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["priorities"]
    assert draft.priorities.count() == 0


def test_section_evidence_strand_saved(provider_client, draft):
    strand = EvidenceStrandFactory(name="Mentoring")

    response = provider_client.post(
        f"/applications/{draft.reference}/evidence/",
        {"evidence_strand": strand.pk, "evidence_other": "", "evidence_description": "Works"},
    )

    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.evidence_strand, draft.evidence_description) == (strand, "Works")


def test_budget_line_added_through_the_form(provider_client, draft):
    response = provider_client.post(
        f"/applications/{draft.reference}/budget/",
        {"item": "Youth worker", "financial_year": "2025-26", "amount": "£1,250.50"},
    )

    assert response.status_code == 302
    assert list(draft.budget_lines.values_list("item", "financial_year", "amount")) == [
        ("Youth worker", "2025-26", Decimal("1250.50"))
    ]


def test_budget_line_financial_year_outside_delivery_refused(provider_client, draft):
    response = provider_client.post(
        f"/applications/{draft.reference}/budget/",
        {"item": "Youth worker", "financial_year": "2019-20", "amount": "100"},
    )

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["financial_year"]
    assert draft.budget_lines.count() == 0


# --- Staff: list, filter, search, export -------------------------------------------------------


@pytest.fixture
def staff_round(priorities):
    """A round with four applications that differ in every filter, and one in another round."""
    funding_round = FundingRoundFactory(slug="vpf", reference_prefix="VPF", priorities=priorities)
    p1, p2 = priorities
    charity = OrganisationFactory(
        name="Darlington Youth Mentoring Trust", charity=True, charity_number="1123456"
    )
    boxing = OrganisationFactory(name="Bishop Auckland Boxing Club")
    seaham = OrganisationFactory(name="Seaham Street Sport")
    strand = EvidenceStrandFactory(name="Mentoring")
    submitted_at = datetime.datetime(2025, 6, 2, 13, 30, tzinfo=datetime.UTC)
    rows = [
        ("VPF-0001", charity, "Mentoring for young people", "38500", S.SUBMITTED, [p1]),
        ("VPF-0002", boxing, "Friday night boxing", "4800", S.UNDER_ASSESSMENT, [p1, p2]),
        ("VPF-0003", seaham, "Street sport", "5000", S.SUBMITTED, [p2]),
        ("VPF-0004", charity, "A&E navigators", "12000", S.DRAFT, []),
    ]
    for reference, organisation, title, amount, status, linked in rows:
        ApplicationFactory(
            round=funding_round,
            reference=reference,
            organisation=organisation,
            title=title,
            amount_requested=Decimal(amount),
            status=status,
            submitted_at=None if status == S.DRAFT else submitted_at,
            evidence_strand=strand if reference == "VPF-0001" else None,
            evidence_other="" if reference == "VPF-0001" else "Own evaluation",
            priorities=linked,
        )
    ApplicationFactory(
        reference="OTH-0001",
        organisation=charity,
        title="Mentoring elsewhere",
        amount_requested=Decimal("5000"),
        status=S.SUBMITTED,
        submitted_at=submitted_at,
        priorities=[p1],
    )
    return funding_round


@pytest.mark.parametrize(
    ("query", "references"),
    [
        ({}, ["VPF-0004", "VPF-0003", "VPF-0002", "VPF-0001"]),
        ({"status": "submitted"}, ["VPF-0003", "VPF-0001"]),
        ({"status": "draft"}, ["VPF-0004"]),
        ({"priority": "P1"}, ["VPF-0002", "VPF-0001"]),
        ({"priority": "P2"}, ["VPF-0003", "VPF-0002"]),
        ({"category": "registered"}, ["VPF-0004", "VPF-0001"]),
        ({"category": "unregistered"}, ["VPF-0003", "VPF-0002"]),
        ({"min_amount": "5000"}, ["VPF-0004", "VPF-0003", "VPF-0001"]),
        ({"max_amount": "£5,000"}, ["VPF-0003", "VPF-0002"]),
        ({"min_amount": "4900", "max_amount": "12000"}, ["VPF-0004", "VPF-0003"]),
        ({"min_amount": "not money"}, ["VPF-0004", "VPF-0003", "VPF-0002", "VPF-0001"]),
        ({"q": "vpf-0002"}, ["VPF-0002"]),
        ({"q": "VPF-000"}, []),
        ({"q": "boxing"}, ["VPF-0002"]),
        ({"q": "mentoring"}, ["VPF-0004", "VPF-0001"]),
        ({"q": "young"}, ["VPF-0001"]),
        ({"q": "Darlington"}, ["VPF-0004", "VPF-0001"]),
        ({"status": "submitted", "category": "unregistered"}, ["VPF-0003"]),
        ({"priority": "P1", "category": "registered", "q": "young"}, ["VPF-0001"]),
    ],
)
def test_staff_round_applications_filter_and_search(
    query, references, staff_client, staff_round, priorities
):
    ids = {"P1": str(priorities[0].pk), "P2": str(priorities[1].pk)}
    params = {key: ids.get(value, value) for key, value in query.items()}

    response = staff_client.get(f"/staff/rounds/{staff_round.slug}/", params)

    assert response.status_code == 200
    assert [a.reference for a in response.context["applications"]] == references


EXPORT_HEADER = [
    "Reference",
    "Stage",
    "Status",
    "Channel",
    "Organisation",
    "Org-id",
    "Registered",
    "Title",
    "Amount requested (£)",
    "Priorities",
    "Evidence base",
    "Submitted at",
]


def _export_rows():
    return [
        [
            "VPF-0004",
            "Full application",
            "Draft",
            "Portal",
            "Darlington Youth Mentoring Trust",
            "GB-CHC-1123456",
            "Yes",
            "A&E navigators",
            "12000.00",
            "",
            "Own evaluation",
            "",
        ],
        [
            "VPF-0003",
            "Full application",
            "Submitted",
            "Portal",
            "Seaham Street Sport",
            "",
            "No",
            '\'=HYPERLINK("http://evil.example")',
            "5000.00",
            "2",
            "Own evaluation",
            "2025-06-02 14:30",
        ],
        [
            "VPF-0002",
            "Full application",
            "Under assessment",
            "Portal",
            "Bishop Auckland Boxing Club",
            "",
            "No",
            "Friday night boxing",
            "4800.00",
            "1, 2",
            "Own evaluation",
            "2025-06-02 14:30",
        ],
        [
            "VPF-0001",
            "Full application",
            "Submitted",
            "Portal",
            "Darlington Youth Mentoring Trust",
            "GB-CHC-1123456",
            "Yes",
            "Mentoring for young people",
            "38500.00",
            "1",
            "Mentoring (Youth Endowment Fund Toolkit)",
            "2025-06-02 14:30",
        ],
    ]


def test_staff_export_csv_has_the_header_and_one_row_per_application(staff_client, staff_round):
    Application.objects.filter(reference="VPF-0003").update(
        title='=HYPERLINK("http://evil.example")'
    )

    response = staff_client.get(f"/staff/rounds/{staff_round.slug}/applications.csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="vpf-applications-{today}.csv"'
    )
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows == [EXPORT_HEADER, *_export_rows()]


def test_staff_export_csv_follows_the_filters(staff_client, staff_round):
    response = staff_client.get(
        f"/staff/rounds/{staff_round.slug}/applications.csv", {"category": "registered"}
    )

    text = b"".join(response.streaming_content).decode("utf-8")
    assert [row[0] for row in csv.reader(io.StringIO(text[1:]))] == [
        "Reference",
        "VPF-0004",
        "VPF-0001",
    ]


def test_staff_export_xlsx_has_the_same_header_and_rows(staff_client, staff_round):
    from openpyxl import load_workbook

    Application.objects.filter(reference="VPF-0003").update(
        title='=HYPERLINK("http://evil.example")'
    )

    response = staff_client.get(f"/staff/rounds/{staff_round.slug}/applications.xlsx")

    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Applications"]
    rows = [
        ["" if value is None else value for value in row]
        for row in workbook["Applications"].iter_rows(values_only=True)
    ]
    assert rows[0] == EXPORT_HEADER
    # Amounts are numbers in the workbook, so that staff can add them up.
    assert [row[8] for row in rows[1:]] == [12000, 5000, 4800, 38500]
    assert [row[:8] + row[9:] for row in rows[1:]] == [row[:8] + row[9:] for row in _export_rows()]


# --- Staff: eligibility, history, invitations, rounds --------------------------------------------


def _submitted(application):
    application = complete_application(application)
    return services.application_submit(application=application, by=application.created_by)


def test_staff_eligibility_not_eligible_without_reason_400_and_unchanged(staff_client, draft):
    application = _submitted(draft)

    response = staff_client.post(
        f"/staff/applications/{application.reference}/eligibility/",
        {"eligible": "no", "reason": "  "},
    )

    assert response.status_code == 400
    assert response.context["eligibility_form"].errors == {
        "reason": ["Give the reason the application is not eligible"]
    }
    assert _on_page(response, "Give the reason the application is not eligible")
    application.refresh_from_db()
    assert application.status == S.SUBMITTED
    assert application.status_changes.count() == 1


def test_staff_eligibility_not_eligible_recorded_and_shown_in_the_history(
    staff_client, staff_user, draft
):
    application = _submitted(draft)

    response = staff_client.post(
        f"/staff/applications/{application.reference}/eligibility/",
        {"eligible": "no", "reason": "Delivered outside County Durham"},
    )

    assert response.status_code == 302
    assert response.url == f"/staff/applications/{application.reference}/"
    application.refresh_from_db()
    assert application.status == S.INELIGIBLE
    change = application.status_changes.order_by("-pk").first()
    assert (change.from_status, change.to_status, change.changed_by, change.reason) == (
        S.SUBMITTED,
        S.INELIGIBLE,
        staff_user,
        "Delivered outside County Durham",
    )
    page = staff_client.get(response.url)
    assert "Submitted → Not eligible" in _text(page)
    assert "Draft → Submitted" in _text(page)
    assert "Delivered outside County Durham" in _text(page)
    assert "Olive Staff" in _text(page)


def test_staff_eligibility_eligible_moves_to_assessment(staff_client, draft):
    application = _submitted(draft)

    response = staff_client.post(
        f"/staff/applications/{application.reference}/eligibility/", {"eligible": "yes"}
    )

    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == S.UNDER_ASSESSMENT


def test_staff_eligibility_for_a_draft_refused(staff_client, draft):
    response = staff_client.post(
        f"/staff/applications/{draft.reference}/eligibility/",
        {"eligible": "no", "reason": "Too early"},
    )

    assert response.status_code == 400
    assert response.context["eligibility_form"].non_field_errors() == [
        "An application that is draft cannot move to not eligible"
    ]
    assert Application.objects.get(pk=draft.pk).status == S.DRAFT


def test_staff_application_detail_sees_any_organisation(staff_client, draft):
    response = staff_client.get(f"/staff/applications/{draft.reference}/")

    assert response.status_code == 200
    assert "Street sport on the seafront" in _text(response)
    assert "Seaham Street Sport" in _text(response)


def test_staff_round_create_through_the_form(staff_client, staff_user, priorities):
    response = staff_client.post("/staff/rounds/new/", _round_form_data(priorities))

    funding_round = FundingRound.objects.get()
    assert response.status_code == 302
    assert response.url == "/staff/rounds/summer-grants/"
    assert (
        funding_round.reference_prefix,
        funding_round.budget,
        funding_round.status,
        funding_round.created_by,
    ) == ("SG25", Decimal("100000.00"), RoundStatus.DRAFT, staff_user)
    assert timezone.localtime(funding_round.closes_at).strftime("%Y-%m-%d %H:%M %Z") == (
        "2030-06-30 17:00 BST"
    )
    assert sorted(funding_round.caps.values_list("category", "minimum", "maximum")) == [
        ("registered", Decimal("1000.00"), Decimal("40000.00")),
        ("unregistered", Decimal("0.00"), Decimal("5000.00")),
    ]
    assert list(funding_round.criteria.values_list("number", "weight", "title")) == [
        (1, Decimal("60.00"), "Evidence"),
        (2, Decimal("40.00"), "Partners"),
    ]


def test_staff_round_create_cap_above_budget_shows_the_error(staff_client, priorities):
    response = staff_client.post("/staff/rounds/new/", _round_form_data(priorities, budget="30000"))

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "A cap cannot be more than the round's budget"
    ]
    assert FundingRound.objects.count() == 0


def test_staff_round_move_closes_the_round(staff_client, open_round, staff_user):
    response = staff_client.post(
        f"/staff/rounds/{open_round.slug}/status/",
        {"to_status": "closed", "reason": "Fully committed"},
    )

    assert response.status_code == 302
    open_round.refresh_from_db()
    assert open_round.status == RoundStatus.CLOSED
    change = open_round.status_changes.get()
    assert (change.changed_by, change.reason) == (staff_user, "Fully committed")


def test_staff_round_move_closing_early_without_a_reason_keeps_the_round_open(
    staff_client, open_round
):
    response = staff_client.post(
        f"/staff/rounds/{open_round.slug}/status/", {"to_status": "closed"}
    )

    assert response.status_code == 302
    assert FundingRound.objects.get(pk=open_round.pk).status == RoundStatus.OPEN
    assert open_round.status_changes.count() == 0


# --- Withdrawal ---------------------------------------------------------------------------------


def test_withdraw_through_the_form(provider_client, provider_user, draft):
    application = _submitted(draft)

    response = provider_client.post(
        f"/applications/{application.reference}/withdraw/", {"reason": "Funded elsewhere"}
    )

    assert response.status_code == 302
    assert response.url == f"/applications/{application.reference}/"
    application.refresh_from_db()
    assert application.status == S.WITHDRAWN
    change = application.status_changes.order_by("-pk").first()
    assert (change.from_status, change.to_status, change.changed_by, change.reason) == (
        S.SUBMITTED,
        S.WITHDRAWN,
        provider_user,
        "Funded elsewhere",
    )


def test_withdraw_a_draft_through_the_form(provider_client, draft):
    response = provider_client.post(f"/applications/{draft.reference}/withdraw/", {"reason": ""})

    assert response.status_code == 302
    assert Application.objects.get(pk=draft.pk).status == S.WITHDRAWN


def test_withdraw_staff_refused(second_staff_client, draft):
    application = _submitted(draft)

    response = second_staff_client.post(f"/applications/{application.reference}/withdraw/")

    assert response.status_code == 403
    assert Application.objects.get(pk=application.pk).status == S.SUBMITTED


def test_withdraw_awarded_application_refused(provider_client, draft):
    Application.objects.filter(pk=draft.pk).update(status=S.AWARDED, submitted_at=timezone.now())

    response = provider_client.post(f"/applications/{draft.reference}/withdraw/")

    assert response.status_code == 403
    assert Application.objects.get(pk=draft.pk).status == S.AWARDED


# --- Query counts -------------------------------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


def test_staff_round_applications_queries_do_not_grow_with_rows(
    staff_client, open_round, priorities
):
    url = reverse("grants:staff-round-applications", args=[open_round.slug])
    ApplicationFactory(round=open_round, priorities=priorities)
    one = _queries(staff_client, url)

    for _ in range(49):
        ApplicationFactory(round=open_round, priorities=priorities)
    response = staff_client.get(url)
    fifty = _queries(staff_client, url)

    assert len(response.context["applications"]) == 50
    assert "1, 2" in _text(response)
    assert fifty == one


def test_my_applications_queries_do_not_grow_with_rows(provider_client, provider_org, priorities):
    ApplicationFactory(organisation=provider_org, priorities=priorities)
    one = _queries(provider_client, "/applications/")

    for _ in range(19):
        ApplicationFactory(organisation=provider_org, priorities=priorities)
    response = provider_client.get("/applications/")
    twenty = _queries(provider_client, "/applications/")

    assert len(response.context["applications"]) == 20
    assert twenty == one
