"""Due diligence before a grant agreement is offered: the organisation's bank details
(entered by one person, verified by a member of staff who is someone else) and the items
staff check on each award (grants.diligence says which, and what still stops an offer)."""

import datetime
import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from partners.enums import REGISTERED_KINDS
from partners.models import Organisation, User
from svd_portal.formatting import money
from svd_portal.history import attributed
from svd_portal.permissions import require_perm
from svd_portal.tasks import enqueue

from ..diligence import DATE_LABELS, EVIDENCE_ITEMS, I, required_items
from ..enums import AwardStatus, FraudRisk
from ..models import Award, BankAccount, DiligenceCheck
from .attachments import ALLOWED_ATTACHMENT_TYPES, detect_content_type

# --- Bank details ----------------------------------------------------------------------


def _digits(value: str) -> str:
    return re.sub(r"[\s-]", "", value or "")


def clean_bank_numbers(sort_code: str, account_number: str) -> tuple[str, str]:
    """The sort code and account number as digits, or the messages saying what is wrong."""
    sort_code, account_number = _digits(sort_code), _digits(account_number)
    errors = {}
    if not re.fullmatch(r"[0-9]{6}", sort_code):
        errors["sort_code"] = "Enter a valid sort code like 309430"
    if not re.fullmatch(r"[0-9]{6,8}", account_number):
        errors["account_number"] = "Enter a valid account number like 00733445"
    if errors:
        raise ValidationError(errors)
    # Six and seven digit account numbers are written with leading zeros to make eight.
    return sort_code, account_number.zfill(8)


@attributed
@transaction.atomic
def bank_details_save(
    *, organisation: Organisation, by: User, account_name: str, sort_code: str, account_number: str
) -> BankAccount:
    """A member of the organisation (or OPCC staff, from a letter) enters its bank details.
    Any change re-opens verification and tells every member of the organisation, so that
    a change nobody there made is noticed."""
    require_perm(by, "grants.enter_bank_details", organisation)
    account_name = account_name.strip()
    if not account_name:
        raise ValidationError({"account_name": "Enter the name on the account"})
    sort_code, account_number = clean_bank_numbers(sort_code, account_number)
    account = BankAccount.objects.select_for_update().filter(
        organisation=organisation
    ).first() or BankAccount(organisation=organisation)
    if account.pk and (account.account_name, account.sort_code, account.account_number) == (
        account_name,
        sort_code,
        account_number,
    ):
        return account  # nothing changed: verification stands
    account.account_name, account.sort_code, account.account_number = (
        account_name,
        sort_code,
        account_number,
    )
    account.changed_by, account.changed_at = by, timezone.now()
    account.verified_by, account.verified_at = None, None
    account.save()
    transaction.on_commit(
        lambda: enqueue("grants.send_bank_details_changed_email", account_id=account.pk)
    )
    return account


@attributed
@transaction.atomic
def bank_details_verify(
    *, organisation: Organisation, by: User, sort_code: str, account_number: str
) -> BankAccount:
    """A member of staff who did not enter the details verifies them against the evidence
    (a bank letter or statement, a call to a known number) by typing the sort code and
    account number they see there: the portal compares, so the number is never shown."""
    require_perm(by, "grants.verify_bank_details", organisation)
    account = BankAccount.objects.select_for_update().filter(organisation=organisation).first()
    if account is None:
        raise ValidationError(f"{organisation.name} has not entered its bank details yet")
    if account.is_verified:
        raise ValidationError("These bank details are already verified")
    if account.changed_by_id == by.pk:
        raise ValidationError(
            "You entered or last changed these bank details: another member of staff must "
            "verify them"
        )
    sort_code, account_number = clean_bank_numbers(sort_code, account_number)
    if (sort_code, account_number) != (account.sort_code, account.account_number):
        raise ValidationError(
            "The sort code and account number you entered are not the ones held. Check "
            "them against the evidence again; if the evidence differs, ask the organisation "
            "to correct its bank details."
        )
    account.verified_by, account.verified_at = by, timezone.now()
    account.save(update_fields=["verified_by", "verified_at"])
    return account


# --- The checklist -------------------------------------------------------------------


def _check_file(uploaded_file) -> str:
    content_type = detect_content_type(uploaded_file)
    if content_type not in ALLOWED_ATTACHMENT_TYPES:
        raise ValidationError(
            {"file": "The file must be a PDF, a Word or OpenDocument file, or an image"}
        )
    return content_type


def _check_satisfactory(
    *, award: Award, item: str, number: str, dated_on, rating: str, note: str, has_file: bool
) -> dict[str, str]:
    """The messages that stop an item being recorded as satisfactory."""
    today = timezone.localdate()
    errors = {}
    if item in DATE_LABELS and dated_on is None:
        errors["dated_on"] = f"Enter the date: {DATE_LABELS[item].lower()}"
    elif item == I.INSURANCE and dated_on <= today:
        errors["dated_on"] = (
            "The insurance has expired: ask for the current certificate, or refuse the item"
        )
    elif item in DATE_LABELS and item != I.INSURANCE and dated_on > today:
        errors["dated_on"] = "The date must be today or in the past"
    if item in EVIDENCE_ITEMS and not has_file:
        errors["file"] = "Attach the document you checked"
    if item == I.ORGANISATION:
        if award.organisation.kind in REGISTERED_KINDS and not number:
            errors["number"] = "Enter the charity or company number you checked"
        if award.organisation.kind not in REGISTERED_KINDS and not note:
            errors["note"] = "Say what you checked, for example the group's constitution"
    if item == I.FRAUD_RISK:
        if rating not in FraudRisk.values:
            errors["rating"] = "Choose the fraud-risk rating"
        if not note:
            errors["note"] = "Give the reason for the rating"
    return errors


@attributed
@transaction.atomic
def diligence_record(
    *,
    award: Award,
    item: str,
    by: User,
    satisfactory: bool,
    number: str = "",
    dated_on: datetime.date | None = None,
    uploaded_file=None,
    rating: str = "",
    note: str = "",
) -> DiligenceCheck:
    """Records one item of an award's due diligence as satisfactory, with its evidence, or
    refused with the reason, which the organisation's members are sent (except for the
    fraud-risk rating, which is the OPCC's own judgement)."""
    require_perm(by, "grants.manage_awards", award)
    award = Award.objects.select_for_update().select_related("organisation").get(pk=award.pk)
    if award.status != AwardStatus.DUE_DILIGENCE:
        raise ValidationError(
            f"Due diligence is recorded before the offer: this award is "
            f"{award.get_status_display().lower()}"
        )
    if item not in required_items(award):
        raise ValidationError(
            f"{award.reference} does not need this item (its amount is {money(award.amount)})"
        )
    number, note = number.strip(), note.strip()
    check = DiligenceCheck.objects.filter(award=award, item=item).first() or DiligenceCheck(
        award=award, item=item
    )
    content_type = _check_file(uploaded_file) if uploaded_file else ""
    if satisfactory:
        errors = _check_satisfactory(
            award=award,
            item=item,
            number=number,
            dated_on=dated_on,
            rating=rating,
            note=note,
            has_file=bool(uploaded_file or check.file),
        )
        if errors:
            raise ValidationError(errors)
    elif not note:
        raise ValidationError(
            {
                "note": "Say why the risk is too high"
                if item == I.FRAUD_RISK
                else "Say what is wrong: the organisation is sent it"
            }
        )
    check.satisfactory, check.number, check.dated_on = satisfactory, number, dated_on
    check.rating = rating if item == I.FRAUD_RISK else ""
    check.note, check.recorded_by, check.recorded_at = note, by, timezone.now()
    if uploaded_file:
        if check.file:
            # The file it replaces goes once the new one is saved for good.
            old, storage = check.file.name, check.file.storage
            transaction.on_commit(lambda: storage.delete(old))
        check.original_name = uploaded_file.name[-200:]
        check.content_type = content_type
        check.file.save(uploaded_file.name[-100:], uploaded_file, save=False)
    check.save()
    # The organisation is told what to put right; never the OPCC's view of its fraud risk.
    if not satisfactory and item != I.FRAUD_RISK:
        transaction.on_commit(
            lambda: enqueue("grants.send_diligence_refused_email", check_id=check.pk)
        )
    return check
