"""Who may reach the grants pages, attacked through HTTP as a browser (or a script) would:
anonymous visitors, another organisation's provider, and providers on staff pages."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from grants import services
from grants.enums import ApplicationStatus, RoundStatus
from grants.models import Application, FundingRound
from tests.factories import (
    ApplicationFactory,
    MembershipFactory,
    complete_application,
)
from tests.grants.helpers import (
    login_redirect,
    page_text,
    pdf_bytes,
    round_form_data,
    snapshot,
    stored_files,
)

S = ApplicationStatus


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


# The staff pages: anonymous visitors are sent to sign in, providers refused (below).
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
    *STAFF_GETS,
]
ANONYMOUS_POSTS = [
    "submit",
    "withdraw",
    "section-project",
    "budget",
    "budget-remove",
    "attachment-remove",
    *STAFF_POSTS,
]


@pytest.mark.parametrize("name", ANONYMOUS_GETS)
def test_provider_and_staff_pages_anonymous_get_redirected_to_login(name, client, draft):
    url = _urls_for(draft)[name]

    response = client.get(url)

    assert response.status_code == 302
    assert response.url == login_redirect(url)


@pytest.mark.parametrize("name", ANONYMOUS_POSTS)
def test_provider_and_staff_posts_anonymous_redirected_and_nothing_changes(name, client, draft):
    draft = complete_application(draft)
    before = snapshot(draft)
    url = _urls_for(draft, line_pk=draft.budget_lines.get().pk)[name]

    response = client.post(url, {"title": "Changed", "to_status": "closed", "eligible": "no"})

    assert response.status_code == 302
    assert response.url == login_redirect(url)
    assert snapshot(draft) == before
    assert FundingRound.objects.get(pk=draft.round_id).status == RoundStatus.OPEN


# --- Another organisation's application ------------------------------------------------------


@pytest.fixture
def victim(draft, provider_user, attachment_storage):
    """Provider A's complete draft with a budget line and an attachment: all of it could leak."""
    application = complete_application(draft)
    services.attachment_add(
        application=application,
        by=provider_user,
        uploaded_file=SimpleUploadedFile("safeguarding.pdf", pdf_bytes(2048)),
    )
    return application


def _victim_url(victim, name: str) -> str:
    pks = {"attachment_pk": victim.attachments.get().pk, "line_pk": victim.budget_lines.get().pk}
    return _urls_for(victim, **pks)[name]


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
    url = _victim_url(victim, name)

    response = other_client.get(url)

    assert response.status_code == 404
    assert victim.title not in page_text(response)
    assert "safeguarding.pdf" not in page_text(response)


@pytest.mark.parametrize("name", OTHER_ORG_POSTS)
def test_application_posts_other_organisation_404_and_nothing_changes(
    name, other_client, victim, attachment_storage
):
    url = _victim_url(victim, name)
    before = snapshot(victim)
    files_before = stored_files(attachment_storage)

    response = other_client.post(
        url,
        {
            "title": "Taken over",
            "declare_accurate": "on",
            "item": "Stolen",
            "financial_year": "2025-26",
            "amount": "1",
            "reason": "Not ours",
            "file": SimpleUploadedFile("x.pdf", pdf_bytes(2048)),
        },
    )

    assert response.status_code == 404
    assert snapshot(victim) == before
    assert stored_files(attachment_storage) == files_before


def test_my_applications_lists_only_my_organisations(provider_client, draft, other_user):
    ApplicationFactory(
        round=draft.round,
        organisation=other_user.memberships.get().organisation,
        title="Holiday boxing camp",
    )

    response = provider_client.get("/applications/")

    assert response.status_code == 200
    assert [a.reference for a in response.context["applications"]] == ["VPF-0001"]
    assert "Holiday boxing camp" not in page_text(response)


def test_my_applications_membership_not_yet_accepted_sees_nothing(client, draft):
    requested = MembershipFactory(organisation=draft.organisation, status="requested").user
    client.force_login(requested)

    assert client.get("/applications/").context["applications"].count() == 0
    assert client.get(f"/applications/{draft.reference}/").status_code == 404


# --- Staff pages refuse providers ----------------------------------------------------------


@pytest.mark.parametrize("name", STAFF_GETS)
def test_staff_pages_provider_get_403(name, other_client, draft):
    response = other_client.get(_urls_for(draft)[name])

    assert response.status_code == 403
    assert draft.title not in page_text(response)


@pytest.mark.parametrize("name", STAFF_POSTS)
def test_staff_posts_provider_403_and_nothing_changes(
    name, other_client, other_user, draft, priorities
):
    submitted = complete_application(draft)
    Application.objects.filter(pk=submitted.pk).update(
        status=S.SUBMITTED, submitted_at=timezone.now()
    )
    before = snapshot(submitted)
    data = {
        **round_form_data(priorities, title="Hijacked"),
        "to_status": "closed",
        "eligible": "no",
        "reason": "Because",
        "organisation": other_user.memberships.get().organisation_id,
        "channel": "paper",
    }

    response = other_client.post(_urls_for(draft)[name], data)

    assert response.status_code == 403
    assert snapshot(submitted) == before
    assert list(FundingRound.objects.values_list("title", "status")) == [
        (draft.round.title, RoundStatus.OPEN)
    ]
    assert Application.objects.count() == 1
