"""grants.services (diligence and agreements): an organisation's bank details and the four-eyes
rule on them, the due diligence checklist, offering an award, and the signatory's answer, each
rule tried by whoever may not pass it; and the emails each step sends once it commits."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.conf import settings as portal_settings
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from grants import services
from grants.diligence import offer_problems, required_items
from grants.enums import AgreementOutcome, AwardStatus
from grants.models import CLAUSES, Agreement, AgreementDocument, Award, BankAccount, DiligenceCheck
from partners.enums import Role
from svd_portal.pdfs import PdfStatus
from tests.factories import UserFactory
from tests.factories.partners import member_of_new_organisation
from tests.on_commit import queued_work

from .awarding import (
    ACCOUNT_NUMBER,
    SORT_CODE,
    complete_diligence,
    enter_bank_details,
    evidence,
    make_award,
    make_template,
    offer_ready,
    private_award_files,
    ready_to_offer,
    set_plan,
    verify_bank_details,
)

TODAY = datetime.date(2024, 5, 1)  # delivery of the award below started on 1 April 2024


def accept(award, by, **changes):
    agreement = services.latest_agreement(award)
    fields = {
        "signatory_name": "Chris Bell",
        "signatory_position": "Chair of trustees",
        "sha256": agreement.documents.get(kind="offer").sha256,
        "address": "203.0.113.9",
        "today": TODAY,
        **changes,
    }
    return services.agreement_accept(agreement=agreement, by=by, **fields)


def refused(call) -> list[str]:
    with pytest.raises(ValidationError) as exc:
        call()
    return exc.value.messages


# --- Bank details ----------------------------------------------------------------------------


def test_bank_details_are_kept_as_digits_and_an_account_number_is_padded_to_eight(
    award, provider_user
):
    account = services.bank_details_save(
        organisation=award.organisation,
        by=provider_user,
        account_name="  Seaham Street Sport  ",
        sort_code="30-94 30",
        account_number="733 445",
    )

    account = BankAccount.objects.get(pk=account.pk)
    assert (account.account_name, account.sort_code, account.account_number) == (
        "Seaham Street Sport",
        "309430",
        "00733445",
    )
    assert (account.masked_number, account.sort_code_display) == ("****3445", "30-94-30")
    assert (account.changed_by, account.verified_by, account.is_verified) == (
        provider_user,
        None,
        False,
    )


@pytest.mark.parametrize(
    ("sort_code", "account_number", "errors"),
    [
        ("30943", ACCOUNT_NUMBER, {"sort_code": ["Enter a valid sort code like 309430"]}),
        (
            SORT_CODE,
            "12345",
            {"account_number": ["Enter a valid account number like 00733445"]},
        ),
        (
            "ab-cd-ef",
            "123456789",
            {
                "sort_code": ["Enter a valid sort code like 309430"],
                "account_number": ["Enter a valid account number like 00733445"],
            },
        ),
    ],
)
def test_bank_details_not_a_sort_code_or_account_number_refused(
    award, provider_user, sort_code, account_number, errors
):
    with pytest.raises(ValidationError) as exc:
        services.bank_details_save(
            organisation=award.organisation,
            by=provider_user,
            account_name="Youth Trust",
            sort_code=sort_code,
            account_number=account_number,
        )

    assert exc.value.message_dict == errors
    assert not BankAccount.objects.exists()


def test_bank_details_of_another_organisation_refused(award, role_groups):
    stranger = member_of_new_organisation("Elsewhere Youth", roles=[Role.PROVIDER])

    with pytest.raises(PermissionDenied):
        enter_bank_details(award, stranger)

    assert not BankAccount.objects.exists()


def test_bank_details_change_tells_every_member_after_commit(
    award,
    provider_user,
    treasurer,
    eager_celery,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        enter_bank_details(award, provider_user)

    (sent,) = mail.outbox
    assert sent.subject == "Bank details changed: Seaham Street Sport"
    assert sorted(sent.to) == ["provider@example.org", "treasurer@example.org"]
    assert "Youth Trust, sort code 30-94-30, account ****3445" in sent.body
    assert ACCOUNT_NUMBER not in sent.body


def test_bank_details_changed_after_verification_are_verified_again(
    award, provider_user, staff_user, eager_celery, django_capture_on_commit_callbacks
):
    enter_bank_details(award, provider_user)
    verify_bank_details(award, staff_user)

    with django_capture_on_commit_callbacks(execute=True):
        enter_bank_details(award, provider_user, account_number="11223344")

    account = BankAccount.objects.get()
    assert (account.account_number, account.verified_by, account.verified_at) == (
        "11223344",
        None,
        None,
    )
    assert [m.subject for m in mail.outbox] == ["Bank details changed: Seaham Street Sport"]


def test_bank_details_saved_unchanged_keep_their_verification_and_tell_no_one(
    award, provider_user, staff_user, eager_celery, django_capture_on_commit_callbacks
):
    enter_bank_details(award, provider_user)
    verified = verify_bank_details(award, staff_user)

    with django_capture_on_commit_callbacks(execute=True):
        enter_bank_details(award, provider_user)

    account = BankAccount.objects.get()
    assert (account.verified_by, account.verified_at) == (staff_user, verified.verified_at)
    assert mail.outbox == []


def test_bank_details_verified_by_whoever_entered_them_refused(award, staff_user):
    enter_bank_details(award, staff_user)  # from the organisation's letter

    assert refused(lambda: verify_bank_details(award, staff_user)) == [
        "You entered or last changed these bank details: another member of staff must verify them"
    ]
    assert BankAccount.objects.get().verified_by is None


def test_bank_details_verified_by_the_same_person_refused_by_the_database_too(award, staff_user):
    account = enter_bank_details(award, staff_user)

    with pytest.raises(IntegrityError), transaction.atomic():
        BankAccount.objects.filter(pk=account.pk).update(
            verified_by=staff_user, verified_at=timezone.now()
        )


def test_bank_details_verified_with_other_numbers_refused(award, provider_user, staff_user):
    enter_bank_details(award, provider_user)

    messages = refused(
        lambda: services.bank_details_verify(
            organisation=award.organisation,
            by=staff_user,
            sort_code=SORT_CODE,
            account_number="00733446",
        )
    )

    assert messages == [
        "The sort code and account number you entered are not the ones held. Check them "
        "against the evidence again; if the evidence differs, ask the organisation to correct "
        "its bank details."
    ]
    assert BankAccount.objects.get().verified_by is None


def test_bank_details_verified_before_any_are_entered_refused(award, staff_user):
    assert refused(lambda: verify_bank_details(award, staff_user)) == [
        "Seaham Street Sport has not entered its bank details yet"
    ]


def test_bank_details_verified_by_a_provider_refused(award, provider_user, treasurer):
    enter_bank_details(award, treasurer)

    with pytest.raises(PermissionDenied):
        verify_bank_details(award, provider_user)


# --- The due diligence checklist -------------------------------------------------------------


def test_items_needed_are_four_and_the_accounts_from_the_threshold(
    award, settings, funding_round, provider_org, pcc_user
):
    settings.DUE_DILIGENCE_ACCOUNTS_FROM = Decimal("10000.00")
    larger = make_award(
        funding_round=funding_round,
        organisation=provider_org,
        created_by=pcc_user,
        reference="OPN-A-0002",
        amount=Decimal("10000.00"),
    )

    assert required_items(award) == ["organisation", "safeguarding", "insurance", "fraud_risk"]
    assert required_items(larger) == [
        "organisation",
        "safeguarding",
        "insurance",
        "accounts",
        "fraud_risk",
    ]


def test_offer_problems_name_everything_still_missing(award):
    assert offer_problems(award) == [
        "Organisation status: not checked yet",
        "Safeguarding policy: not checked yet",
        "Insurance: not checked yet",
        "Fraud-risk rating: not checked yet",
        "Delivery plan: set the targets, the returns and the payments",
        "Bank details: Seaham Street Sport has not entered them yet",
        "Authorised signatory: Seaham Street Sport has none; mark one of its members on the "
        "organisation's page",
    ]


def test_offer_problems_none_when_all_is_done(ready):
    assert offer_problems(ready) == []


def test_offer_problems_expired_insurance_and_unverified_bank_details(ready, provider_user):
    enter_bank_details(ready, provider_user, account_number="11223344")
    DiligenceCheck.objects.filter(item="insurance").update(dated_on=datetime.date(2024, 6, 30))

    assert offer_problems(ready, today=datetime.date(2024, 7, 1)) == [
        "Insurance: expired on 30 June 2024; record the current certificate",
        "Bank details: not yet verified by a second member of staff",
    ]


def record(award, item, by, **fields):
    return services.diligence_record(award=award, item=item, by=by, **fields)


def test_item_refused_needs_the_reason(award, staff_user):
    assert refused(lambda: record(award, "insurance", staff_user, satisfactory=False)) == [
        "Say what is wrong: the organisation is sent it"
    ]
    assert refused(lambda: record(award, "fraud_risk", staff_user, satisfactory=False)) == [
        "Say why the risk is too high"
    ]
    assert not DiligenceCheck.objects.exists()


def test_item_refused_emails_the_members_the_reason_after_commit(
    award, staff_user, treasurer, eager_celery, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        record(
            award,
            "insurance",
            staff_user,
            satisfactory=False,
            note="The certificate covers no work with children.",
        )

    (sent,) = mail.outbox
    assert sent.subject == "Before your grant OPN-A-0001: insurance"
    assert sorted(sent.to) == ["provider@example.org", "treasurer@example.org"]
    assert "Insurance: The certificate covers no work with children." in sent.body
    assert offer_problems(award)[2] == (
        "Insurance: refused (The certificate covers no work with children.)"
    )


def test_fraud_risk_refused_is_never_emailed(
    award, staff_user, eager_celery, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        record(
            award,
            "fraud_risk",
            staff_user,
            satisfactory=False,
            rating="high",
            note="Two directors are disqualified.",
        )

    assert queued_work(callbacks) == []
    assert mail.outbox == []
    check = DiligenceCheck.objects.get()
    assert (check.satisfactory, check.rating) == (False, "high")


@pytest.mark.parametrize(
    ("item", "fields", "errors"),
    [
        (
            "insurance",
            {"dated_on": datetime.date(2020, 1, 1), "uploaded_file": "evidence"},
            {
                "dated_on": [
                    "The insurance has expired: ask for the current certificate, or refuse the item"
                ]
            },
        ),
        (
            "safeguarding",
            {"dated_on": datetime.date(2099, 1, 1)},
            {
                "dated_on": ["The date must be today or in the past"],
                "file": ["Attach the document you checked"],
            },
        ),
        (
            "organisation",
            {},
            {
                "dated_on": ["Enter the date: checked on"],
                "note": ["Say what you checked, for example the group's constitution"],
            },
        ),
        (
            "fraud_risk",
            {"rating": "extreme"},
            {
                "rating": ["Choose the fraud-risk rating"],
                "note": ["Give the reason for the rating"],
            },
        ),
    ],
)
def test_item_satisfactory_without_what_it_needs_refused(award, staff_user, item, fields, errors):
    if fields.get("uploaded_file") == "evidence":
        fields = {**fields, "uploaded_file": evidence()}

    with pytest.raises(ValidationError) as exc:
        record(award, item, staff_user, satisfactory=True, **fields)

    assert exc.value.message_dict == errors
    assert not DiligenceCheck.objects.exists()


def test_registered_charity_needs_its_number(award, staff_user, provider_org):
    provider_org.kind, provider_org.charity_number = "registered_charity", "1100001"
    provider_org.save()

    with pytest.raises(ValidationError) as exc:
        record(award, "organisation", staff_user, satisfactory=True, dated_on=TODAY)

    assert exc.value.message_dict == {"number": ["Enter the charity or company number you checked"]}


def test_evidence_not_a_document_refused(award, staff_user):
    script = ContentFile(b"#!/bin/sh\nrm -rf /\n", name="policy.pdf")

    with pytest.raises(ValidationError) as exc:
        record(
            award,
            "safeguarding",
            staff_user,
            satisfactory=True,
            dated_on=TODAY,
            uploaded_file=script,
        )

    assert exc.value.message_dict == {
        "file": ["The file must be a PDF, a Word or OpenDocument file, or an image"]
    }
    assert not DiligenceCheck.objects.exists()


def test_item_not_needed_at_this_amount_refused(award, staff_user):
    assert refused(
        lambda: record(
            award,
            "accounts",
            staff_user,
            satisfactory=True,
            dated_on=TODAY,
            uploaded_file=evidence(),
        )
    ) == ["OPN-A-0001 does not need this item (its amount is £3,000)"]


def test_item_recorded_by_a_provider_refused(award, provider_user):
    with pytest.raises(PermissionDenied):
        record(award, "fraud_risk", provider_user, satisfactory=True, rating="low", note="Fine")


def test_item_recorded_after_the_offer_refused(offered, staff_user):
    assert refused(
        lambda: record(offered, "fraud_risk", staff_user, satisfactory=True, rating="low", note="x")
    ) == ["Due diligence is recorded before the offer: this award is offered"]


# --- Offering ---------------------------------------------------------------------------------


def test_offer_with_anything_missing_refused_with_every_reason(
    award, staff_user, agreement_template, provider_user
):
    enter_bank_details(award, provider_user)
    complete_diligence(award, staff_user)
    set_plan(award, staff_user)

    messages = refused(
        lambda: services.award_offer(award=award, by=staff_user, template=agreement_template)
    )

    assert messages == [
        "The award cannot be offered yet:",
        "Bank details: not yet verified by a second member of staff",
        "Authorised signatory: Seaham Street Sport has none; mark one of its members on the "
        "organisation's page",
    ]
    assert Award.objects.get(pk=award.pk).status == AwardStatus.DUE_DILIGENCE
    assert not Agreement.objects.exists()


def test_offer_freezes_the_templates_clauses_and_queues_the_pdf(
    ready,
    staff_user,
    agreement_template,
    eager_celery,
    django_capture_on_commit_callbacks,
    monkeypatch,
):
    rendered = []
    monkeypatch.setattr(
        services, "agreement_render", lambda document_id: rendered.append(document_id)
    )

    with django_capture_on_commit_callbacks(execute=True):
        award = services.award_offer(award=ready, by=staff_user, template=agreement_template)
    services.agreement_template_save(
        by=staff_user,
        template=agreement_template,
        name="Standard",
        **dict.fromkeys([field for field, _ in CLAUSES], "Changed later."),
    )

    agreement = Agreement.objects.get()
    assert (award.status, agreement.version, agreement.outcome, agreement.offered_by) == (
        AwardStatus.OFFERED,
        1,
        AgreementOutcome.OFFERED,
        staff_user,
    )
    assert agreement.clauses[0] == ["Eligible expenditure", "Eligible expenditure."]
    assert all(text != "Changed later." for _, text in agreement.clauses)
    document = AgreementDocument.objects.get()
    assert (document.kind, document.status) == ("offer", PdfStatus.QUEUED)
    assert rendered == [document.pk]
    (sent,) = mail.outbox
    assert sent.subject == "Grant offered: OPN-A-0001, Street sport"
    assert sent.to == ["provider@example.org"]
    assert f"{portal_settings.PORTAL_BASE_URL}grants/OPN-A-0001/agreement/\n" in sent.body


def test_offer_by_a_provider_refused(ready, provider_user, agreement_template):
    with pytest.raises(PermissionDenied):
        services.award_offer(award=ready, by=provider_user, template=agreement_template)

    assert Award.objects.get(pk=ready.pk).status == AwardStatus.DUE_DILIGENCE


# --- The signatory's answer --------------------------------------------------------------------


def test_acceptance_records_who_what_when_and_where_and_the_award_is_active(
    offered,
    provider_user,
    staff_user,
    eager_celery,
    django_capture_on_commit_callbacks,
    monkeypatch,
):
    monkeypatch.setattr(services, "agreement_render", lambda document_id: None)
    digest = AgreementDocument.objects.get(kind="offer").sha256

    with django_capture_on_commit_callbacks(execute=True):
        accept(offered, provider_user)

    agreement = Agreement.objects.get()
    assert (
        agreement.outcome,
        agreement.signatory_name,
        agreement.signatory_position,
        agreement.accepted_sha256,
        agreement.answered_by,
        agreement.answered_from,
    ) == (
        AgreementOutcome.ACCEPTED,
        "Chris Bell",
        "Chair of trustees",
        digest,
        provider_user,
        "203.0.113.9",
    )
    assert timezone.now() - agreement.answered_at < datetime.timedelta(minutes=1)
    award = Award.objects.get(pk=offered.pk)
    assert award.status == AwardStatus.ACTIVE
    assert list(award.status_changes.order_by("pk").values_list("to_status", flat=True)) == [
        "offered",
        "accepted",
        "active",
    ]
    assert list(AgreementDocument.objects.order_by("pk").values_list("kind", "status")) == [
        ("offer", PdfStatus.READY),
        ("accepted", PdfStatus.QUEUED),
    ]
    (sent,) = mail.outbox
    assert sent.subject == "Grant agreement accepted: OPN-A-0001"
    assert sorted(sent.to) == ["provider@example.org", "staff@example.org"]
    assert "accepted for Seaham Street Sport by Chris Bell, Chair of trustees" in sent.body


def test_acceptance_before_delivery_starts_leaves_it_accepted_until_the_day(offered, provider_user):
    accept(offered, provider_user, today=datetime.date(2024, 3, 1))

    assert Award.objects.get(pk=offered.pk).status == AwardStatus.ACCEPTED
    assert services.awards_activate_due(today=datetime.date(2024, 3, 31)) == []
    assert services.awards_activate_due(today=datetime.date(2024, 4, 1)) == ["OPN-A-0001"]
    assert Award.objects.get(pk=offered.pk).status == AwardStatus.ACTIVE
    assert services.awards_activate_due(today=datetime.date(2024, 4, 2)) == []


def test_acceptance_by_a_member_who_is_not_the_signatory_refused(offered, treasurer):
    with pytest.raises(PermissionDenied):
        accept(offered, treasurer)

    assert Agreement.objects.get().outcome == AgreementOutcome.OFFERED


def test_acceptance_by_staff_refused(offered, staff_user):
    with pytest.raises(PermissionDenied):
        accept(offered, staff_user)


def test_acceptance_of_another_document_than_the_one_on_offer_refused(offered, provider_user):
    assert refused(lambda: accept(offered, provider_user, sha256="0" * 64)) == [
        "The agreement you read is not the one on offer now: read the current agreement, "
        "then accept it"
    ]
    assert Award.objects.get(pk=offered.pk).status == AwardStatus.OFFERED
    assert Agreement.objects.get().outcome == AgreementOutcome.OFFERED


def test_acceptance_while_the_pdf_is_being_prepared_refused(
    ready, staff_user, agreement_template, provider_user
):
    award = services.award_offer(award=ready, by=staff_user, template=agreement_template)

    assert refused(lambda: accept(award, provider_user, sha256="")) == [
        "The agreement is still being prepared: try again in a minute"
    ]


def test_acceptance_without_name_or_position_refused(offered, provider_user):
    with pytest.raises(ValidationError) as exc:
        accept(offered, provider_user, signatory_name="  ", signatory_position="")

    assert exc.value.message_dict == {
        "signatory_name": ["Enter your full name"],
        "signatory_position": ["Enter your position in the organisation"],
    }


def test_answered_once_the_agreement_cannot_be_answered_again(offered, provider_user):
    accept(offered, provider_user)

    assert refused(lambda: accept(offered, provider_user)) == [
        "This agreement is no longer waiting for an answer"
    ]


def test_changes_asked_return_the_award_to_staff_who_are_told(
    offered, provider_user, staff_user, eager_celery, django_capture_on_commit_callbacks
):
    agreement = services.latest_agreement(offered)

    with django_capture_on_commit_callbacks(execute=True):
        services.agreement_return(
            agreement=agreement,
            by=provider_user,
            outcome="changes_asked",
            message="  Please name our sessional coaches in clause 1.  ",
            address="203.0.113.9",
        )

    agreement = Agreement.objects.get()
    assert (agreement.outcome, agreement.message, agreement.answered_from) == (
        AgreementOutcome.CHANGES_ASKED,
        "Please name our sessional coaches in clause 1.",
        "203.0.113.9",
    )
    award = Award.objects.get(pk=offered.pk)
    assert award.status == AwardStatus.DUE_DILIGENCE
    assert award.status_changes.order_by("pk").last().reason == (
        "Agreement v1: changes asked for. Please name our sessional coaches in clause 1."
    )
    (sent,) = mail.outbox
    assert sent.subject == "Changes asked for to grant agreement OPN-A-0001"
    assert sorted(sent.to) == ["provider@example.org", "staff@example.org"]
    assert "Please name our sessional coaches in clause 1." in sent.body


def test_offered_again_the_old_version_can_no_longer_be_accepted(
    offered, provider_user, staff_user, agreement_template
):
    first = services.latest_agreement(offered)
    services.agreement_return(
        agreement=first, by=provider_user, outcome="declined", message="Too little.", address=None
    )
    offer_ready(offered, staff_user, agreement_template)

    second = services.latest_agreement(offered)
    assert second.version == 2
    assert refused(
        lambda: services.agreement_accept(
            agreement=first,
            by=provider_user,
            signatory_name="Chris Bell",
            signatory_position="Chair",
            sha256=first.documents.get(kind="offer").sha256,
            address=None,
        )
    ) == ["This agreement is no longer waiting for an answer"]


def test_return_without_a_message_or_with_another_outcome_refused(offered, provider_user):
    agreement = services.latest_agreement(offered)

    with pytest.raises(ValidationError) as exc:
        services.agreement_return(
            agreement=agreement, by=provider_user, outcome="accepted", message="", address=None
        )
    assert exc.value.message_dict == {"outcome": ["Choose whether you decline or ask for changes"]}
    with pytest.raises(ValidationError) as exc:
        services.agreement_return(
            agreement=agreement, by=provider_user, outcome="declined", message=" ", address=None
        )
    assert exc.value.message_dict == {"message": ["Tell the OPCC why, or what should change"]}
    assert Award.objects.get(pk=offered.pk).status == AwardStatus.OFFERED


def test_withdrawn_award_cannot_have_its_agreement_accepted(offered, provider_user, staff_user):
    services.award_withdraw(award=offered, by=staff_user, reason="The project cannot start.")

    assert Agreement.objects.get().outcome == AgreementOutcome.WITHDRAWN
    assert refused(lambda: accept(offered, provider_user)) == [
        "This agreement is no longer waiting for an answer"
    ]


@pytest.mark.parametrize("final", [AwardStatus.CLOSED, AwardStatus.CLAWED_BACK])
def test_closed_or_clawed_back_award_cannot_be_changed(
    award, staff_user, agreement_template, final
):
    Award.objects.filter(pk=award.pk).update(status=final)
    label = AwardStatus(final).label.lower()

    assert refused(
        lambda: services.award_withdraw(award=award, by=staff_user, reason="Because.")
    ) == [f"An award that is {label} cannot move to withdrawn"]
    assert refused(
        lambda: services.award_offer(award=award, by=staff_user, template=agreement_template)
    ) == [f"An award that is {label} cannot move to offered"]
    assert refused(
        lambda: record(award, "fraud_risk", staff_user, satisfactory=True, rating="low", note="x")
    ) == [f"Due diligence is recorded before the offer: this award is {label}"]
    assert Award.objects.get(pk=award.pk).status == final


# --- Two members of staff offering at the same moment ------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_offers_at_once_make_one_agreement(roles, make_round, tmp_path, monkeypatch):
    private_award_files(tmp_path, monkeypatch)
    monkeypatch.setattr(services.agreements, "enqueue", lambda *args, **kwargs: None)
    provider = member_of_new_organisation("Seaham Street Sport", roles=[Role.PROVIDER])
    first_staff = UserFactory(roles=[Role.OPCC_STAFF])
    second_staff = UserFactory(roles=[Role.OPCC_STAFF])
    award = make_award(
        funding_round=make_round(),
        organisation=provider.memberships.get().organisation,
        created_by=first_staff,
    )
    ready_to_offer(award, entered_by=provider, staff=first_staff, signatory=provider)
    template = make_template(first_staff)
    barrier = threading.Barrier(2)
    outcomes = []

    def offer(by):
        try:
            barrier.wait(timeout=10)
            services.award_offer(award=award, by=by, template=template)
            outcomes.append("offered")
        except ValidationError as error:
            outcomes.append(error.messages[0])
        finally:
            connection.close()

    threads = [threading.Thread(target=offer, args=(by,)) for by in (first_staff, second_staff)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)

    assert sorted(outcomes) == ["An award that is offered cannot move to offered", "offered"]
    assert list(Agreement.objects.values_list("version", flat=True)) == [1]
    assert AgreementDocument.objects.count() == 1
