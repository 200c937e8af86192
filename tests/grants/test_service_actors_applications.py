"""The application services check who is acting, whatever called it (a view, a shell, a task).

Each service is called by the wrong people, who are refused with PermissionDenied and change
nothing, and by the right person, who succeeds. The checks are the `rules` permissions the
views ask, so the button shown and the check made are the same thing.
"""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.utils import timezone

from grants import services
from grants.enums import ApplicationStatus, Channel, RoundStages, Stage
from grants.models import (
    Application,
    ApplicationStatusChange,
    Attachment,
    BudgetLine,
    FundingRound,
)
from tests.factories import (
    ApplicationFactory,
    BudgetLineFactory,
    FundingRoundFactory,
    complete_application,
)

S = ApplicationStatus


def _application(status, organisation, **kwargs):
    submitted_at = None if status == S.DRAFT else timezone.now() - datetime.timedelta(days=1)
    return ApplicationFactory(
        status=status, organisation=organisation, submitted_at=submitted_at, **kwargs
    )


def _state(application):
    """What a refused call must leave as it was."""
    application = Application.objects.get(pk=application.pk)
    return {
        "status": application.status,
        "title": application.title,
        "updated_at": application.updated_at,
        "submitted_at": application.submitted_at,
        "status_changes": list(
            ApplicationStatusChange.objects.filter(application=application).values_list(
                "pk", flat=True
            )
        ),
        "budget_lines": list(application.budget_lines.values_list("pk", "amount")),
        "attachments": list(application.attachments.values_list("pk", flat=True)),
        "applications": Application.objects.count(),
    }


NOT_THE_APPLICANT = ["other_user", "panel_user", "pcc_user", "staff_user", "nobody"]
NOT_STAFF = ["provider_user", "other_user", "panel_user", "pcc_user", "nobody"]


# --- Starting and filling in a draft ------------------------------------------------------


@pytest.mark.parametrize("who", ["other_user", "panel_user", "pcc_user", "staff_user", "nobody"])
def test_application_start_for_an_organisation_not_theirs_refused(who, actor, provider_org):
    funding_round = FundingRoundFactory()

    with pytest.raises(PermissionDenied) as exc:
        services.application_start(
            funding_round=funding_round, organisation=provider_org, by=actor(who), title="Boxing"
        )

    assert str(exc.value) == f"Only a member of {provider_org.name} can start its application"
    assert Application.objects.count() == 0
    assert FundingRound.objects.get(pk=funding_round.pk).next_application_number == 1


@pytest.mark.parametrize("who", ["provider_user", "panel_user", "pcc_user", "nobody"])
def test_application_start_logged_bid_by_anyone_but_staff_refused(who, actor, provider_org):
    with pytest.raises(PermissionDenied) as exc:
        services.application_start(
            funding_round=FundingRoundFactory(),
            organisation=provider_org,
            by=actor(who),
            title="Boxing",
            channel=Channel.EMAIL,
        )

    assert str(exc.value) == "Only OPCC staff can log a bid that came by email or on paper"
    assert Application.objects.count() == 0


def test_application_start_by_a_member_and_a_bid_logged_by_staff(
    provider_user, provider_org, staff_user
):
    funding_round = FundingRoundFactory(allow_multiple_applications=True)

    mine = services.application_start(
        funding_round=funding_round, organisation=provider_org, by=provider_user, title="Sport"
    )
    logged = services.application_start(
        funding_round=funding_round,
        organisation=provider_org,
        by=staff_user,
        title="Boxing",
        channel=Channel.PAPER,
        contact_name="Sam Hall",
        contact_address="12 Front Street\nDurham",
    )

    assert (mine.created_by, mine.channel) == (provider_user, Channel.PORTAL)
    assert (logged.created_by, logged.channel) == (staff_user, Channel.PAPER)


@pytest.mark.parametrize("who", NOT_THE_APPLICANT)
def test_application_update_by_anyone_but_the_applicant_refused(who, actor, provider_org):
    application = _application(S.DRAFT, provider_org, title="Street sport")
    before = _state(application)

    with pytest.raises(PermissionDenied) as exc:
        services.application_update(
            application=application, by=actor(who), fields={"title": "Taken over"}
        )

    assert str(exc.value) == (
        "Only the applicant, or OPCC staff for a bid they logged, can change this application"
    )
    assert _state(application) == before


def test_application_update_by_the_applicant_and_by_staff_on_a_logged_bid(
    provider_user, provider_org, staff_user
):
    mine = _application(S.DRAFT, provider_org)
    logged = _application(S.DRAFT, provider_org, channel=Channel.EMAIL)

    services.application_update(application=mine, by=provider_user, fields={"title": "Sport"})
    services.application_update(application=logged, by=staff_user, fields={"title": "Boxing"})

    assert Application.objects.get(pk=mine.pk).title == "Sport"
    assert Application.objects.get(pk=logged.pk).title == "Boxing"


@pytest.mark.parametrize("who", NOT_THE_APPLICANT)
def test_budget_line_add_and_remove_by_anyone_but_the_applicant_refused(who, actor, provider_org):
    application = _application(S.DRAFT, provider_org)
    line = BudgetLineFactory(application=application, amount=Decimal("1000"))
    before = _state(application)

    with pytest.raises(PermissionDenied):
        services.budget_line_add(
            application=application,
            by=actor(who),
            item="Coaches",
            financial_year="2025-26",
            amount=Decimal("500"),
        )
    with pytest.raises(PermissionDenied):
        services.budget_line_remove(line=line, by=actor(who))

    assert _state(application) == before


def test_budget_line_add_and_remove_by_the_applicant(provider_user, provider_org):
    application = _application(S.DRAFT, provider_org)
    old = BudgetLineFactory(application=application, amount=Decimal("1000"))

    new = services.budget_line_add(
        application=application,
        by=provider_user,
        item="Coaches",
        financial_year="2025-26",
        amount=Decimal("500"),
    )
    services.budget_line_remove(line=old, by=provider_user)

    assert list(BudgetLine.objects.values_list("pk", flat=True)) == [new.pk]


def _attachment(application, by):
    attachment = Attachment(
        application=application,
        original_name="budget.pdf",
        content_type="application/pdf",
        size=9,
        uploaded_by=by,
    )
    attachment.file.save("document.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
    attachment.save()
    return attachment


@pytest.mark.parametrize("who", NOT_THE_APPLICANT)
def test_attachment_add_by_anyone_but_the_applicant_refused(
    who, actor, provider_org, attachment_storage
):
    application = _application(S.DRAFT, provider_org)
    before = _state(application)
    upload = ContentFile(b"%PDF-1.4\n" + b"%" * 200, name="budget.pdf")

    with pytest.raises(PermissionDenied) as exc:
        services.attachment_add(application=application, by=actor(who), uploaded_file=upload)

    assert str(exc.value) == (
        "Only the applicant, or OPCC staff for a bid they logged, can add a document to "
        "this application"
    )
    assert _state(application) == before
    assert Attachment.objects.count() == 0


def test_attachment_add_by_the_applicant(provider_org, provider_user, attachment_storage):
    application = _application(S.DRAFT, provider_org)
    upload = ContentFile(b"%PDF-1.4\n" + b"%" * 200, name="budget.pdf")

    attachment = services.attachment_add(
        application=application, by=provider_user, uploaded_file=upload
    )

    assert (attachment.original_name, attachment.content_type, attachment.uploaded_by) == (
        "budget.pdf",
        "application/pdf",
        provider_user,
    )


@pytest.mark.parametrize("who", NOT_THE_APPLICANT)
def test_attachment_remove_by_anyone_but_the_applicant_refused(
    who, actor, provider_org, provider_user, attachment_storage
):
    application = _application(S.DRAFT, provider_org)
    attachment = _attachment(application, provider_user)
    before = _state(application)

    with pytest.raises(PermissionDenied):
        services.attachment_remove(attachment=attachment, by=actor(who))

    assert _state(application) == before
    assert attachment_storage.exists(attachment.file.name)


def test_attachment_remove_by_the_applicant(
    provider_org, provider_user, attachment_storage, django_capture_on_commit_callbacks
):
    application = _application(S.DRAFT, provider_org)
    attachment = _attachment(application, provider_user)

    with django_capture_on_commit_callbacks(execute=True):
        services.attachment_remove(attachment=attachment, by=provider_user)

    assert Attachment.objects.count() == 0
    assert not attachment_storage.exists(attachment.file.name)


# --- Submitting and withdrawing ------------------------------------------------------------


@pytest.mark.parametrize("who", NOT_THE_APPLICANT)
def test_application_submit_by_anyone_but_the_applicant_refused(who, actor, provider_org):
    application = complete_application(_application(S.DRAFT, provider_org))
    before = _state(application)

    with pytest.raises(PermissionDenied) as exc:
        services.application_submit(application=application, by=actor(who))

    assert str(exc.value) == (
        "Only the applicant, or OPCC staff for a bid they logged, can submit this application"
    )
    assert _state(application) == before


def test_application_submit_by_the_applicant(provider_user, provider_org):
    application = complete_application(_application(S.DRAFT, provider_org))

    services.application_submit(application=application, by=provider_user)

    application.refresh_from_db()
    assert (application.status, application.submitted_by) == (S.SUBMITTED, provider_user)


@pytest.mark.parametrize("who", NOT_THE_APPLICANT)
def test_application_withdraw_by_anyone_but_the_applicant_refused(who, actor, provider_org):
    application = _application(S.SUBMITTED, provider_org)
    before = _state(application)

    with pytest.raises(PermissionDenied) as exc:
        services.application_withdraw(application=application, by=actor(who), reason="Mine now")

    assert str(exc.value) == "Only the applicant can withdraw this application"
    assert _state(application) == before


def test_application_withdraw_by_the_applicant(provider_user, provider_org):
    application = _application(S.SUBMITTED, provider_org)

    services.application_withdraw(application=application, by=provider_user, reason="Funded")

    change = ApplicationStatusChange.objects.get(application=application)
    assert (change.to_status, change.changed_by) == (S.WITHDRAWN, provider_user)


# --- Staff's decisions on an application ------------------------------------------------


@pytest.mark.parametrize("who", NOT_STAFF)
@pytest.mark.parametrize("eligible", [True, False])
def test_application_record_eligibility_by_anyone_but_staff_refused(
    who, eligible, actor, provider_org
):
    application = _application(S.SUBMITTED, provider_org)
    before = _state(application)

    with pytest.raises(PermissionDenied) as exc:
        services.application_record_eligibility(
            application=application, eligible=eligible, reason="Out of area", by=actor(who)
        )

    assert str(exc.value) == "Only OPCC staff can record whether an application is eligible"
    assert _state(application) == before


def test_application_record_eligibility_by_staff(staff_user, provider_org):
    application = _application(S.SUBMITTED, provider_org)

    services.application_record_eligibility(
        application=application, eligible=True, reason="", by=staff_user
    )

    change = ApplicationStatusChange.objects.get(application=application)
    assert (change.to_status, change.changed_by) == (S.UNDER_ASSESSMENT, staff_user)


def _eoi(organisation):
    funding_round = FundingRoundFactory(
        stages=RoundStages.TWO_STAGE,
        full_stage_closes_at=timezone.now() + datetime.timedelta(days=60),
    )
    return _application(S.UNDER_ASSESSMENT, organisation, round=funding_round, stage=Stage.EOI)


@pytest.mark.parametrize("who", NOT_STAFF)
def test_application_invite_to_full_by_anyone_but_staff_refused(who, actor, provider_org):
    eoi = _eoi(provider_org)
    before = _state(eoi)

    with pytest.raises(PermissionDenied) as exc:
        services.application_invite_to_full(application=eoi, by=actor(who))

    assert str(exc.value) == "Only OPCC staff can invite an expression of interest to apply in full"
    assert _state(eoi) == before
    assert FundingRound.objects.get(pk=eoi.round_id).next_application_number == 1


def test_application_invite_to_full_by_staff(staff_user, provider_org):
    eoi = _eoi(provider_org)

    full = services.application_invite_to_full(application=eoi, by=staff_user)

    assert Application.objects.get(pk=eoi.pk).status == S.INVITED
    assert (full.parent, full.stage, full.created_by) == (eoi, Stage.FULL, staff_user)
