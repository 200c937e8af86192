"""A monitoring return's documents: added and removed by the grant holder while the return can
still be changed, checked as an application's attachments are, no more than
RETURN_ATTACHMENTS_MAX of them, and downloaded privately by the holder and the OPCC."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grants import services
from grants.enums import AwardStatus, ReturnStatus
from grants.models import Award, MonitoringReturn, ReturnAttachment

from .awarding import running_award
from .helpers import login_redirect, on_page, page_text, pdf_bytes, stored_files

REF = "OPN-A-0001"
NOT_A_DOCUMENT = "The file must be a PDF, Word, Excel, OpenDocument or image file"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 200
SUBMITTED = (
    "This return is submitted: its documents can no longer be changed. If one is missing, ask "
    "the OPCC to return it to you for changes"
)


@pytest.fixture
def running(funding_round, provider_org, provider_user, staff_user, pcc_user, award_files):
    """OPN-A-0001, active: return 1's period has ended, return 2's has not."""
    return running_award(
        funding_round=funding_round,
        organisation=provider_org,
        created_by=pcc_user,
        holder=provider_user,
        staff=staff_user,
    )


@pytest.fixture
def first(running):
    return running.returns.get(number=1)


def pdf(name="register.pdf", size=3000):
    return SimpleUploadedFile(name, pdf_bytes(size), "text/plain")


def add(monitoring_return, by, uploaded_file=None):
    return services.return_attachment_add(
        monitoring_return=monitoring_return, by=by, uploaded_file=uploaded_file or pdf()
    )


def submit(monitoring_return, by):
    """The return completed and submitted by the grant holder."""
    award = monitoring_return.award
    services.return_save(
        monitoring_return=monitoring_return,
        by=by,
        actuals={target.pk: 4 for target in award.targets.all()},
        spend={line.pk: Decimal("300.00") for line in award.application.budget_lines.all()},
        narrative="Twelve sessions in two schools.",
        case_study="",
        risks="",
    )
    return services.return_submit(monitoring_return=monitoring_return, by=by)


def return_files(storage) -> list[str]:
    """The returns' documents in the storage (the award's due diligence evidence is there too)."""
    return [name for name in stored_files(storage) if name.startswith("returns/")]


def url(name: str, *args) -> str:
    return reverse(f"grants:{name}", args=[REF, *args])


# --- The services ------------------------------------------------------------------------------


def test_return_attachment_added_by_the_holder_is_stored_privately(
    first, provider_user, award_files
):
    attachment = add(first, provider_user, pdf("attendance register.pdf"))

    assert (
        attachment.monitoring_return,
        attachment.original_name,
        attachment.content_type,
        attachment.size,
        attachment.uploaded_by,
    ) == (first, "attendance register.pdf", "application/pdf", 3000, provider_user)
    (stored,) = return_files(award_files)
    assert stored.startswith(f"returns/{first.pk}/")
    assert stored.endswith("-document.pdf")


@pytest.mark.parametrize(
    ("uploaded_file", "message"),
    [
        (SimpleUploadedFile("budget.pdf", b"MZ\x90\x00" + b"\x00" * 2000), NOT_A_DOCUMENT),
        (SimpleUploadedFile("notes.pdf", b""), "The file is empty"),
        (
            SimpleUploadedFile("register.html", pdf_bytes(2000)),
            "The file’s name ends .html but it is a PDF: rename it to end .pdf",
        ),
    ],
)
def test_return_attachment_not_a_document_refused_and_nothing_stored(
    first, provider_user, award_files, uploaded_file, message
):
    with pytest.raises(ValidationError) as refused:
        add(first, provider_user, uploaded_file)

    assert refused.value.message_dict == {"file": [message]}
    assert not ReturnAttachment.objects.exists()
    assert return_files(award_files) == []


def test_return_attachment_over_the_size_limit_refused(first, provider_user, award_files, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024

    with pytest.raises(ValidationError) as refused:
        add(first, provider_user, pdf(size=1025))

    assert refused.value.message_dict == {"file": ["The file must be smaller than 1 KB"]}
    assert return_files(award_files) == []


def test_return_attachments_capped_by_the_setting(first, provider_user, award_files, settings):
    settings.RETURN_ATTACHMENTS_MAX = 2
    add(first, provider_user)
    add(first, provider_user)

    with pytest.raises(ValidationError) as refused:
        add(first, provider_user)

    assert refused.value.message_dict == {
        "file": ["A return can have up to 2 documents: remove one to add another"]
    }
    assert first.attachments.count() == 2
    assert len(return_files(award_files)) == 2


def test_return_attachments_cannot_change_once_submitted(first, provider_user, award_files):
    attachment = add(first, provider_user)
    submit(first, provider_user)

    with pytest.raises(ValidationError) as adding:
        add(first, provider_user)
    with pytest.raises(ValidationError) as removing:
        services.return_attachment_remove(attachment=attachment, by=provider_user)

    assert adding.value.messages == removing.value.messages == [SUBMITTED]
    assert list(first.attachments.all()) == [attachment]
    assert len(return_files(award_files)) == 1


def test_return_attachment_added_again_once_returned_for_changes(
    first, provider_user, staff_user, award_files
):
    submit(first, provider_user)
    services.return_send_back(
        monitoring_return=first, by=staff_user, comment="Add the attendance register."
    )

    attachment = add(first, provider_user)

    assert list(MonitoringReturn.objects.get(pk=first.pk).attachments.all()) == [attachment]


def test_return_attachment_refused_once_the_grant_is_closed(first, provider_user, award_files):
    Award.objects.filter(pk=first.award_id).update(status=AwardStatus.CLOSED)

    with pytest.raises(ValidationError) as refused:
        add(MonitoringReturn.objects.get(pk=first.pk), provider_user)

    assert refused.value.messages == [
        f"Returns are made while the grant is active: {REF} is closed"
    ]


@pytest.mark.parametrize("who", ["stranger", "staff_user"])
def test_return_attachment_by_anyone_but_the_holder_refused(
    request, first, provider_user, award_files, who
):
    attachment = add(first, provider_user)
    user = request.getfixturevalue(who)

    with pytest.raises(PermissionDenied) as adding:
        add(first, user)
    with pytest.raises(PermissionDenied) as removing:
        services.return_attachment_remove(attachment=attachment, by=user)

    assert str(adding.value) == (
        "Only members of the grant holder's organisation can add documents to its returns"
    )
    assert str(removing.value) == (
        "Only members of the grant holder's organisation can remove documents from its returns"
    )
    assert list(first.attachments.all()) == [attachment]
    assert len(return_files(award_files)) == 1


def test_return_attachment_removed_and_its_file_deleted_after_commit(
    first, provider_user, award_files, django_capture_on_commit_callbacks
):
    attachment = add(first, provider_user)

    with django_capture_on_commit_callbacks() as callbacks:
        services.return_attachment_remove(attachment=attachment, by=provider_user)
        assert len(return_files(award_files)) == 1  # not before the commit
    for callback in callbacks:
        callback()

    assert not ReturnAttachment.objects.exists()
    assert return_files(award_files) == []


def test_return_attachment_download_name_counts_the_returns_documents(first, provider_user):
    add(first, provider_user)
    second = add(first, provider_user, SimpleUploadedFile("poster.png", PNG))

    assert services.return_attachment_download_name(second) == f"{REF}-R1-2.png"


# --- Over HTTP ---------------------------------------------------------------------------------


def upload(client, number, uploaded_file):
    return client.post(url("return-attachments", number), {"file": uploaded_file})


def test_return_attachment_uploaded_listed_downloaded_and_removed(
    client_as, first, provider_user, award_files
):
    client = client_as(provider_user)
    content = pdf_bytes(3000)

    uploaded = upload(client, 1, SimpleUploadedFile("register.pdf", content, "text/plain"))

    attachment = ReturnAttachment.objects.get()
    assert uploaded.status_code == 302
    assert uploaded.url == url("return-edit", 1) + "#attachments"
    edit = client.get(uploaded.url)
    download_url = url("return-attachment", 1, attachment.pk)
    remove_url = url("return-attachment-remove", 1, attachment.pk)
    assert [str(message) for message in edit.context["messages"]] == ["register.pdf uploaded."]
    assert f'<a class="govuk-link" href="{download_url}">register.pdf</a>' in page_text(edit)
    assert f'action="{remove_url}"' in page_text(edit)
    read = client.get(url("return", 1))
    assert f'<a class="govuk-link" href="{download_url}">register.pdf</a>' in page_text(read)

    downloaded = client.get(download_url)

    assert downloaded.status_code == 200
    assert b"".join(downloaded.streaming_content) == content
    assert downloaded["Content-Type"] == "application/pdf"
    assert downloaded["Content-Disposition"] == f'attachment; filename="{REF}-R1-1.pdf"'
    assert downloaded["X-Content-Type-Options"] == "nosniff"
    assert downloaded["Cache-Control"] == "private, no-store"

    removed = client.post(remove_url, follow=True)

    assert [str(message) for message in removed.context["messages"]] == ["register.pdf removed."]
    assert removed.redirect_chain == [(url("return-edit", 1) + "#attachments", 302)]
    assert not ReturnAttachment.objects.exists()
    assert download_url not in page_text(removed)


@pytest.mark.parametrize("who", ["staff_user", "ceo_user", "pcc_user"])
def test_return_attachment_downloaded_by_the_opcc(
    client_as, request, first, provider_user, award_files, who
):
    attachment = add(first, provider_user)
    submit(first, provider_user)
    client = client_as(request.getfixturevalue(who))

    read = client.get(url("return", 1))
    downloaded = client.get(url("return-attachment", 1, attachment.pk))

    assert on_page(read, "register.pdf")
    assert downloaded.status_code == 200
    assert b"".join(downloaded.streaming_content) == pdf_bytes(3000)


@pytest.mark.parametrize("who", ["stranger", "panel_member_user"])
def test_return_attachment_hidden_from_another_organisation(
    client_as, request, first, provider_user, award_files, who
):
    attachment = add(first, provider_user)
    client = client_as(request.getfixturevalue(who))

    assert client.get(url("return-attachment", 1, attachment.pk)).status_code == 404
    assert upload(client, 1, pdf()).status_code == 404
    assert client.post(url("return-attachment-remove", 1, attachment.pk)).status_code == 404
    assert list(ReturnAttachment.objects.all()) == [attachment]


def test_return_attachment_asked_for_under_another_return_is_404(
    client_as, running, provider_user, award_files
):
    attachment = add(running.returns.get(number=2), provider_user)
    client = client_as(provider_user)

    assert client.get(url("return-attachment", 1, attachment.pk)).status_code == 404
    assert client.post(url("return-attachment-remove", 1, attachment.pk)).status_code == 404
    assert client.get(url("return-attachment", 2, attachment.pk)).status_code == 200


def test_return_attachment_anonymous_sent_to_sign_in(client_as, first, provider_user, award_files):
    attachment = add(first, provider_user)
    client = client_as(None)
    download_url = url("return-attachment", 1, attachment.pk)
    remove_url = url("return-attachment-remove", 1, attachment.pk)

    assert client.get(download_url).url == login_redirect(download_url)
    assert upload(client, 1, pdf()).url == login_redirect(url("return-attachments", 1))
    assert client.post(remove_url).url == login_redirect(remove_url)
    assert ReturnAttachment.objects.count() == 1


@pytest.mark.parametrize("who", ["staff_user", "ceo_user", "pcc_user"])
def test_return_attachment_upload_and_remove_by_the_opcc_forbidden(
    client_as, request, first, provider_user, award_files, who
):
    attachment = add(first, provider_user)
    client = client_as(request.getfixturevalue(who))

    assert upload(client, 1, pdf()).status_code == 403
    assert client.post(url("return-attachment-remove", 1, attachment.pk)).status_code == 403
    assert list(ReturnAttachment.objects.all()) == [attachment]


def test_return_attachment_not_a_document_refused_in_the_error_summary(
    client_as, first, provider_user, award_files
):
    services.return_save(
        monitoring_return=first,
        by=provider_user,
        actuals={},
        spend={},
        narrative="Sessions began in October.",
        case_study="",
        risks="",
    )
    exe = SimpleUploadedFile("budget.pdf", b"MZ\x90\x00" + b"\x00" * 2000, "application/pdf")

    response = upload(client_as(provider_user), 1, exe)

    assert response.status_code == 400
    assert response.context["attachment_form"].errors == {"file": [NOT_A_DOCUMENT]}
    html = page_text(response)
    assert f'<li><a href="#id_file">{NOT_A_DOCUMENT}</a></li>' in html
    # The return's own form as saved, still posting to the edit page.
    assert not response.context["form"].is_bound
    assert "Sessions began in October." in html
    assert f'action="{url("return-edit", 1)}"' in html
    assert not ReturnAttachment.objects.exists()
    assert return_files(award_files) == []


def test_return_attachment_upload_over_the_limit_refused_as_it_arrives(
    client_as, first, provider_user, award_files, settings
):
    settings.ATTACHMENT_MAX_BYTES = 1024

    response = upload(client_as(provider_user), 1, pdf(size=2048))

    assert response.status_code == 400
    assert response.context["attachment_form"].errors == {
        "file": ["The file must be smaller than 1 KB"]
    }
    assert return_files(award_files) == []


def test_return_attachment_upload_without_a_file_refused(client_as, first, provider_user):
    response = client_as(provider_user).post(url("return-attachments", 1), {})

    assert response.status_code == 400
    assert on_page(response, "Select a file to upload")


def test_return_attachment_upload_to_a_submitted_return_refused_on_the_page(
    client_as, first, provider_user, award_files
):
    submit(first, provider_user)

    response = upload(client_as(provider_user), 1, pdf())

    assert response.status_code == 400
    assert response.context["attachment_form"].errors == {"file": [SUBMITTED]}
    assert on_page(response, SUBMITTED)
    assert 'class="govuk-error-summary"' in page_text(response)
    assert not ReturnAttachment.objects.exists()
    assert return_files(award_files) == []


def test_return_attachment_removed_from_a_submitted_return_refused_with_a_message(
    client_as, first, provider_user, award_files
):
    attachment = add(first, provider_user)
    submit(first, provider_user)

    response = client_as(provider_user).post(
        url("return-attachment-remove", 1, attachment.pk), follow=True
    )

    # Back to the edit page, which sends a submitted return's reader on to its page.
    assert response.redirect_chain == [
        (url("return-edit", 1) + "#attachments", 302),
        (url("return", 1), 302),
    ]
    assert [str(message) for message in response.context["messages"]] == [SUBMITTED]
    assert MonitoringReturn.objects.get(pk=first.pk).status == ReturnStatus.SUBMITTED
    assert list(ReturnAttachment.objects.all()) == [attachment]


def test_return_pages_queries_do_not_grow_with_attachments(
    client_as, first, provider_user, award_files
):
    client = client_as(provider_user)
    add(first, provider_user)
    client.get(url("return", 1))  # warm: the session, the permissions
    counts = {}
    for many in (False, True):
        if many:
            for _ in range(4):
                add(first, provider_user)
        for page in ("return", "return-edit"):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url(page, 1)).status_code == 200
            counts[page, many] = len(queries)

    assert counts["return", True] == counts["return", False]
    assert counts["return-edit", True] == counts["return-edit", False]
