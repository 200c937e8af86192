"""grants.views.agreements and the signatory's mark over HTTP: bank details (masked everywhere,
verified by a second member of staff), due diligence, templates, the offer, reading and
answering the agreement and its PDFs; each rule tried by the people it must stop, and each
refusal said on the page."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse

from grants.enums import AgreementOutcome, AwardStatus
from grants.models import Agreement, AgreementTemplate, Award, BankAccount, DiligenceCheck
from partners.models import Membership

from .awarding import (
    ACCOUNT_NUMBER,
    SORT_CODE,
    enter_bank_details,
    evidence,
)
from .helpers import PDF, on_page, page_text

REF = "OPN-A-0001"


def url(name: str, *args) -> str:
    return reverse(f"grants:{name}", args=[REF, *args])


def status() -> str:
    return Award.objects.get(reference=REF).status


def followed_messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# --- Bank details ----------------------------------------------------------------------------


def test_bank_details_entered_by_a_member_are_shown_masked_to_everyone(
    client_as, award, provider_user, staff_user
):
    response = client_as(provider_user).post(
        url("award-bank-details"),
        {"account_name": "Youth Trust", "sort_code": "30-94-30", "account_number": "0073 3445"},
    )

    assert response.status_code == 302
    assert response["Location"] == award.get_absolute_url()
    account = BankAccount.objects.get()
    assert (account.sort_code, account.account_number) == (SORT_CODE, ACCOUNT_NUMBER)
    for who in (provider_user, staff_user):
        for page in (award.get_absolute_url(), url("award-bank-details")):
            html = page_text(client_as(who).get(page))
            assert ACCOUNT_NUMBER not in html and "733445" not in html, (who, page)
        assert "****3445" in page_text(client_as(who).get(award.get_absolute_url()))


def test_bank_details_not_valid_are_said_on_the_page(client_as, award, provider_user):
    response = client_as(provider_user).post(
        url("award-bank-details"),
        {"account_name": "Youth Trust", "sort_code": "30943", "account_number": "12"},
    )

    assert response.status_code == 200
    assert on_page(response, "Enter a valid sort code like 309430")
    assert on_page(response, "Enter a valid account number like 00733445")
    assert not BankAccount.objects.exists()


@pytest.mark.parametrize("who", ["stranger", "panel_member_user"])
def test_bank_details_of_another_organisation_are_404(client_as, request, award, who):
    client = client_as(request.getfixturevalue(who))

    assert client.get(url("award-bank-details")).status_code == 404
    response = client.post(
        url("award-bank-details"),
        {"account_name": "Thief", "sort_code": SORT_CODE, "account_number": ACCOUNT_NUMBER},
    )
    assert response.status_code == 404
    assert not BankAccount.objects.exists()


def test_bank_details_verified_by_who_entered_them_refused_on_the_page(
    client_as, award, staff_user
):
    enter_bank_details(award, staff_user)

    response = client_as(staff_user).post(
        url("award-bank-verify"),
        {"sort_code": SORT_CODE, "account_number": ACCOUNT_NUMBER},
        follow=True,
    )

    assert followed_messages(response) == [
        "You entered or last changed these bank details: another member of staff must verify them"
    ]
    assert BankAccount.objects.get().verified_at is None


def test_bank_details_verified_by_a_second_member_of_staff(
    client_as, award, staff_user, second_staff
):
    enter_bank_details(award, staff_user)

    response = client_as(second_staff).post(
        url("award-bank-verify"),
        {"sort_code": "30 94 30", "account_number": "733445"},
        follow=True,
    )

    assert followed_messages(response) == ["Seaham Street Sport's bank details are verified."]
    assert BankAccount.objects.get().verified_by == second_staff
    assert "Yes, by Priya Shah on" in page_text(response)


def test_bank_details_verified_with_numbers_not_held_refused(
    client_as, award, provider_user, staff_user
):
    enter_bank_details(award, provider_user)

    response = client_as(staff_user).post(
        url("award-bank-verify"),
        {"sort_code": SORT_CODE, "account_number": "00733446"},
        follow=True,
    )

    (message,) = followed_messages(response)
    assert message.startswith("The sort code and account number you entered are not the ones held")
    assert BankAccount.objects.get().verified_at is None


def test_bank_details_verified_by_a_member_of_the_organisation_refused(
    client_as, award, provider_user, treasurer, staff_user
):
    enter_bank_details(award, treasurer)

    response = client_as(provider_user).post(
        url("award-bank-verify"), {"sort_code": SORT_CODE, "account_number": ACCOUNT_NUMBER}
    )

    assert response.status_code == 403
    assert BankAccount.objects.get().verified_at is None
    assert client_as(staff_user).get(url("award-bank-verify")).status_code == 405


# --- Due diligence -------------------------------------------------------------------------


def test_award_page_tells_staff_everything_that_stops_the_offer(client_as, award, staff_user):
    response = client_as(staff_user).get(award.get_absolute_url())

    for problem in (
        "The award cannot be offered yet:",
        "Bank details",
        "Seaham Street Sport has not entered its bank details yet.",
        "None yet: mark one on",
    ):
        assert on_page(response, problem), problem
    assert url("award-offer") not in page_text(response)


@pytest.mark.parametrize(
    ("who", "item", "expected"),
    [
        ("staff_user", "insurance", 200),
        ("staff_user", "accounts", 404),  # not needed below £10,000
        ("staff_user", "bank", 404),
        ("provider_user", "insurance", 403),
        ("stranger", "insurance", 404),
        ("pcc_user", "insurance", 403),
    ],
)
def test_diligence_item_page_only_for_staff_and_the_items_needed(
    client_as, request, award, who, item, expected
):
    response = client_as(request.getfixturevalue(who)).get(url("award-diligence", item))

    assert response.status_code == expected


def test_diligence_item_refused_without_a_reason_says_so(client_as, award, staff_user):
    response = client_as(staff_user).post(
        url("award-diligence", "insurance"), {"satisfactory": "no"}
    )

    assert response.status_code == 200
    assert on_page(response, "Say what is wrong: the organisation is sent it")
    assert not DiligenceCheck.objects.exists()


def test_diligence_item_refused_emails_the_organisation(
    client_as, award, staff_user, treasurer, eager_celery, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_as(staff_user).post(
            url("award-diligence", "safeguarding"),
            {"satisfactory": "no", "note": "The policy does not name a lead."},
            follow=True,
        )

    assert followed_messages(response) == [
        "Safeguarding policy refused. Seaham Street Sport has been emailed the reason."
    ]
    (sent,) = mail.outbox
    assert sorted(sent.to) == ["provider@example.org", "treasurer@example.org"]
    assert "Safeguarding policy: The policy does not name a lead." in sent.body


def test_diligence_evidence_downloads_for_staff_only(
    client_as, award, staff_user, provider_user, stranger
):
    client_as(staff_user).post(
        url("award-diligence", "safeguarding"),
        {"satisfactory": "yes", "dated_on": "2024-01-10", "file": evidence()},
    )
    check = DiligenceCheck.objects.get()
    assert (check.satisfactory, check.dated_on) == (True, datetime.date(2024, 1, 10))

    response = client_as(staff_user).get(url("award-diligence-file", "safeguarding"))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"] == 'attachment; filename="evidence.pdf"'
    assert client_as(provider_user).get(
        url("award-diligence-file", "safeguarding")
    ).status_code == (403)
    assert client_as(stranger).get(url("award-diligence-file", "safeguarding")).status_code == 404
    assert client_as(staff_user).get(url("award-diligence-file", "insurance")).status_code == 404


def test_diligence_recorded_after_the_offer_refused_on_the_page(client_as, offered, staff_user):
    response = client_as(staff_user).post(
        url("award-diligence", "fraud_risk"),
        {"satisfactory": "yes", "rating": "low", "note": "Known."},
    )

    assert response.status_code == 200
    assert on_page(response, "Due diligence is recorded before the offer: this award is offered")


# --- Templates and the offer -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [("staff_user", 200), ("provider_user", 403), ("pcc_user", 403), ("ceo_user", 403)],
)
def test_agreement_templates_are_kept_by_staff(
    client_as, request, agreement_template, who, expected
):
    client = client_as(request.getfixturevalue(who))

    for name, args in (
        ("staff-agreement-templates", []),
        ("staff-agreement-template-create", []),
        ("staff-agreement-template", [agreement_template.pk]),
    ):
        assert client.get(reverse(f"grants:{name}", args=args)).status_code == expected


def test_agreement_template_with_a_name_already_used_refused(
    client_as, agreement_template, staff_user
):
    fields = {
        "name": "standard",
        "eligible_expenditure": "x",
        "reporting": "x",
        "payment": "x",
        "clawback": "x",
        "safeguarding": "x",
        "data_protection": "x",
        "publicity": "x",
    }

    response = client_as(staff_user).post(reverse("grants:staff-agreement-template-create"), fields)

    assert response.status_code == 200
    assert on_page(response, "A template called standard already exists")
    assert AgreementTemplate.objects.count() == 1


def test_offer_with_anything_missing_refused_with_every_reason(
    client_as, award, staff_user, agreement_template
):
    response = client_as(staff_user).post(
        url("award-offer"), {"template": agreement_template.pk}, follow=True
    )

    (message,) = followed_messages(response)
    assert message == (
        "The award cannot be offered yet: Organisation status: not checked yet "
        "Safeguarding policy: not checked yet Insurance: not checked yet "
        "Fraud-risk rating: not checked yet "
        "Delivery plan: set the targets, the returns and the payments "
        "Bank details: Seaham Street Sport has not entered them yet "
        "Authorised signatory: Seaham Street Sport has none; mark one of its members on the "
        "organisation's page"
    )
    assert status() == AwardStatus.DUE_DILIGENCE
    assert not Agreement.objects.exists()


def test_offer_when_all_is_done(client_as, ready, staff_user, agreement_template, monkeypatch):
    monkeypatch.setattr("grants.services.agreements.enqueue", lambda *args, **kwargs: True)

    response = client_as(staff_user).post(url("award-offer"), {"template": agreement_template.pk})

    assert response.status_code == 302
    assert status() == AwardStatus.OFFERED
    assert Agreement.objects.get().template_name == "Standard"


@pytest.mark.parametrize(("who", "expected"), [("provider_user", 403), ("stranger", 404)])
def test_offer_by_anyone_but_staff_refused(
    client_as, request, ready, agreement_template, who, expected
):
    response = client_as(request.getfixturevalue(who)).post(
        url("award-offer"), {"template": agreement_template.pk}
    )

    assert response.status_code == expected
    assert status() == AwardStatus.DUE_DILIGENCE


# --- Reading and answering the agreement ------------------------------------------------------


def accept_fields(**changes) -> dict:
    sha256 = Agreement.objects.get().documents.get(kind="offer").sha256
    return {
        "signatory_name": "Chris Bell",
        "signatory_position": "Chair of trustees",
        "confirm": "on",
        "sha256": sha256,
        **changes,
    }


def test_agreement_page_gives_the_signatory_alone_the_answer_forms(
    client_as, offered, provider_user, treasurer, staff_user
):
    sha256 = Agreement.objects.get().documents.get(kind="offer").sha256

    signatory_page = page_text(client_as(provider_user).get(url("agreement")))
    assert f'value="{sha256}"' in signatory_page
    assert url("agreement-accept") in signatory_page
    assert url("agreement-return") in signatory_page
    assert url("agreement-pdf", 1, "offer").replace("%2D", "-") in signatory_page
    for who in (treasurer, staff_user):
        html = page_text(client_as(who).get(url("agreement")))
        assert url("agreement-accept") not in html
        assert "Eligible expenditure." in html


@pytest.mark.parametrize("who", ["stranger", "panel_member_user"])
def test_agreement_of_another_organisation_is_404(client_as, request, offered, who):
    client = client_as(request.getfixturevalue(who))

    assert client.get(url("agreement")).status_code == 404
    assert client.post(url("agreement-accept"), accept_fields()).status_code == 404
    assert client.get(url("agreement-pdf", 1, "offer")).status_code == 404
    assert status() == AwardStatus.OFFERED


@pytest.mark.parametrize("who", ["treasurer", "staff_user"])
def test_acceptance_by_anyone_but_the_signatory_refused(client_as, request, offered, who):
    client = client_as(request.getfixturevalue(who))

    assert client.post(url("agreement-accept"), accept_fields()).status_code == 403
    response = client.post(
        url("agreement-return"), {"outcome": "declined", "message": "No thank you."}
    )
    assert response.status_code == 403
    assert status() == AwardStatus.OFFERED
    assert Agreement.objects.get().outcome == AgreementOutcome.OFFERED


def test_acceptance_of_another_file_than_the_one_on_offer_refused_on_the_page(
    client_as, offered, provider_user
):
    response = client_as(provider_user).post(
        url("agreement-accept"), accept_fields(sha256="0" * 64)
    )

    assert response.status_code == 400
    assert on_page(
        response,
        "The agreement you read is not the one on offer now: read the current agreement, "
        "then accept it",
    )
    assert status() == AwardStatus.OFFERED


def test_acceptance_without_the_box_ticked_refused(client_as, offered, provider_user):
    response = client_as(provider_user).post(url("agreement-accept"), accept_fields(confirm=""))

    assert response.status_code == 400
    assert Agreement.objects.get().outcome == AgreementOutcome.OFFERED


def test_acceptance_by_the_signatory_makes_the_award_active(
    client_as,
    offered,
    provider_user,
    staff_user,
    eager_celery,
    django_capture_on_commit_callbacks,
    monkeypatch,
):
    monkeypatch.setattr("grants.services.agreement_render", lambda document_id: None)

    with django_capture_on_commit_callbacks(execute=True):
        response = client_as(provider_user).post(url("agreement-accept"), accept_fields())

    assert response.status_code == 302
    assert response["Location"] == url("agreement")
    assert status() == AwardStatus.ACTIVE  # delivery started on 1 April 2024
    agreement = Agreement.objects.get()
    assert (agreement.signatory_name, agreement.answered_from) == ("Chris Bell", "127.0.0.1")
    (sent,) = mail.outbox
    assert sent.subject == f"Grant agreement accepted: {REF}"
    assert sorted(sent.to) == ["provider@example.org", "staff@example.org"]
    again = client_as(provider_user).post(url("agreement-accept"), accept_fields())
    assert again.status_code == 400
    html = page_text(again)
    assert "This agreement is no longer waiting for an answer" in html


def test_changes_asked_go_back_to_staff_with_the_message(
    client_as, offered, provider_user, staff_user
):
    response = client_as(provider_user).post(
        url("agreement-return"),
        {"outcome": "changes_asked", "message": "Please name our coaches."},
    )

    assert response.status_code == 302
    assert status() == AwardStatus.DUE_DILIGENCE
    staff_page = client_as(staff_user).get(reverse("grants:award-detail", args=[REF]))
    assert "<strong>Changes asked for</strong>. “Please name our coaches.”" in page_text(staff_page)


def test_return_without_a_message_refused_on_the_page(client_as, offered, provider_user):
    response = client_as(provider_user).post(
        url("agreement-return"), {"outcome": "declined", "message": ""}
    )

    assert response.status_code == 400
    assert status() == AwardStatus.OFFERED


def test_agreement_pdf_downloads_for_the_organisation_and_staff(
    client_as, offered, treasurer, staff_user
):
    for who in (treasurer, staff_user):
        response = client_as(who).get(url("agreement-pdf", 1, "offer"))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Disposition"] == (f'attachment; filename="{REF}-agreement-v1.pdf"')
    assert client_as(staff_user).get(url("agreement-pdf", 1, "accepted")).status_code == 404
    assert client_as(staff_user).get(url("agreement-pdf", 2, "offer")).status_code == 404


# --- A closed or clawed-back award ----------------------------------------------------------


@pytest.mark.parametrize("final", [AwardStatus.CLOSED, AwardStatus.CLAWED_BACK])
def test_closed_or_clawed_back_award_cannot_be_changed_over_http(
    client_as, award, staff_user, agreement_template, final
):
    Award.objects.filter(pk=award.pk).update(status=final)
    label = AwardStatus(final).label.lower()
    client = client_as(staff_user)

    withdraw = client.post(url("award-withdraw"), {"reason": "Because."})
    offer = client.post(url("award-offer"), {"template": agreement_template.pk}, follow=True)
    diligence = client.post(
        url("award-diligence", "fraud_risk"), {"satisfactory": "yes", "rating": "low", "note": "x"}
    )

    assert withdraw.status_code == 400
    assert on_page(withdraw, f"An award that is {label} cannot move to withdrawn")
    assert followed_messages(offer) == [f"An award that is {label} cannot move to offered"]
    assert on_page(diligence, f"Due diligence is recorded before the offer: this award is {label}")
    assert status() == final
    assert not DiligenceCheck.objects.exists()


# --- Who signs for the organisation ------------------------------------------------------------


def test_signatory_marked_by_staff_and_by_no_one_else(
    client_as, provider_org, treasurer, staff_user, provider_user
):
    membership = Membership.objects.get(user=treasurer)
    path = reverse("partners:membership-signatory", args=[membership.pk])

    assert client_as(provider_user).post(path, {"is_signatory": "yes"}).status_code == 403
    assert not Membership.objects.get(pk=membership.pk).is_signatory
    response = client_as(staff_user).post(path, {"is_signatory": "yes"}, follow=True)

    assert Membership.objects.get(pk=membership.pk).is_signatory
    assert (
        followed_messages(response)[-1] == f"{treasurer.full_name} is now an authorised signatory."
    )
