"""Helpers for the tests of what comes before and at an offer: an award as a signed decision
leaves it, its organisation's bank details entered and verified, its due diligence done, an
agreement template, and an offer whose signed PDF stands ready."""

import datetime
import hashlib
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.utils import timezone

from grants import fiscal, money, services
from grants.diligence import required_items
from grants.enums import AwardStatus, CostKind
from grants.models import (
    CLAUSES,
    AgreementDocument,
    AgreementTemplate,
    Award,
    AwardSplit,
    BudgetLine,
    DiligenceCheck,
    ReturnAttachment,
)
from partners.models import Membership
from svd_portal.pdfs import PdfStatus
from tests.factories import ApplicationFactory

from .helpers import PDF

SORT_CODE, ACCOUNT_NUMBER = "309430", "00733445"


def make_award(
    *,
    funding_round,
    organisation,
    created_by,
    reference: str = "OPN-A-0001",
    amount: Decimal = Decimal("3000.00"),
    starts: datetime.date = datetime.date(2024, 4, 1),
    ends: datetime.date | None = None,
    title: str = "Street sport",
) -> Award:
    """An award in due diligence, its money labour in the year its delivery starts (a year
    of delivery unless `ends` says otherwise)."""
    application = ApplicationFactory(round=funding_round, organisation=organisation, title=title)
    award = Award.objects.create(
        reference=reference,
        application=application,
        round=funding_round,
        organisation=organisation,
        title=title,
        amount=amount,
        delivery_starts_on=starts,
        delivery_ends_on=ends or starts + datetime.timedelta(days=364),
        decision_reference="DN1-24",
        created_by=created_by,
    )
    AwardSplit.objects.create(
        award=award,
        financial_year=fiscal.year_of(starts),
        cost_kind=CostKind.LABOUR,
        amount=amount,
    )
    return award


def running_now() -> tuple[datetime.date, datetime.date]:
    """A year of delivery that began with the quarter before this one: its first return's
    period has ended, its second's has not."""
    today = timezone.localdate()
    # The financial year's quarters are the calendar's: January, April, July, October.
    this_quarter = datetime.date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
    month = this_quarter.month - 4  # three months back, counted from 0
    starts = datetime.date(this_quarter.year + month // 12, month % 12 + 1, 1)
    ends = datetime.date(starts.year + 1, starts.month, 1) - datetime.timedelta(days=1)
    return starts, ends


def private_award_files(tmp_path, monkeypatch) -> FileSystemStorage:
    """The evidence of due diligence, the agreements' PDFs and the returns' documents in the
    test's own folder."""
    storage = FileSystemStorage(location=tmp_path / "private", base_url=None)
    for model in (DiligenceCheck, AgreementDocument, ReturnAttachment):
        monkeypatch.setattr(model._meta.get_field("file"), "storage", storage)
    return storage


def enter_bank_details(award: Award, by, *, account_number: str = ACCOUNT_NUMBER):
    return services.bank_details_save(
        organisation=award.organisation,
        by=by,
        account_name="Youth Trust",
        sort_code=SORT_CODE,
        account_number=account_number,
    )


def verify_bank_details(award: Award, by):
    return services.bank_details_verify(
        organisation=award.organisation, by=by, sort_code=SORT_CODE, account_number=ACCOUNT_NUMBER
    )


def evidence():
    return ContentFile(PDF, name="evidence.pdf")


def complete_diligence(award: Award, by) -> None:
    """Every item the award needs recorded as satisfactory, with its evidence."""
    today = timezone.localdate()
    fields = {
        "organisation": {"dated_on": today, "note": "The group's constitution."},
        "safeguarding": {"dated_on": today, "uploaded_file": evidence()},
        "insurance": {
            "dated_on": today + datetime.timedelta(days=90),
            "uploaded_file": evidence(),
        },
        "accounts": {"dated_on": datetime.date(today.year - 1, 3, 31), "uploaded_file": evidence()},
        "fraud_risk": {"rating": "low", "note": "Known to the OPCC."},
    }
    for item in required_items(award):
        services.diligence_record(award=award, item=item, by=by, satisfactory=True, **fields[item])


def make_signatory(user) -> None:
    Membership.objects.filter(user=user).update(is_signatory=True)


def make_template(by, name: str = "Standard") -> AgreementTemplate:
    return services.agreement_template_save(
        by=by, name=name, **{field: f"{heading}." for field, heading in CLAUSES}
    )


# The targets set_plan gives every award.
OUTPUTS = {"under_18": 40, "aged_18_24": 10, "aged_25_35": 0, "over_35": 0, "sessions": 24}


def set_plan(award: Award, by, *, frequency: str = "quarterly", tranches=None) -> Award:
    """The award's delivery plan: OUTPUTS, an outcome for each success measure its bid named,
    returns at `frequency` and the award in equal payments, one after each."""
    count = len(services.planned_returns(award, frequency))
    return services.award_plan_save(
        award=award,
        by=by,
        frequency=frequency,
        outputs=OUTPUTS,
        outcomes={
            measure.pk: (f"People kept from {measure.title.lower()}", 5)
            for measure in services.outcome_measures(award)
        },
        tranches=tranches or money.in_equal_parts(award.amount, count),
    )


def ready_to_offer(award: Award, *, entered_by, staff, signatory) -> Award:
    """The award's bank details entered (by `entered_by`) and verified (by `staff`), its
    due diligence done and its delivery plan set, and `signatory` its organisation's
    authorised signatory."""
    enter_bank_details(award, entered_by)
    verify_bank_details(award, staff)
    complete_diligence(award, staff)
    set_plan(award, staff)
    make_signatory(signatory)
    return Award.objects.get(pk=award.pk)  # nothing cached from the steps above


def running_award(
    *,
    funding_round,
    organisation,
    created_by,
    holder,
    staff,
    reference="OPN-A-0001",
    title="Street sport",
    budget_item="Coach",
) -> Award:
    """An active £3,000 award whose delivery began with the last quarter (running_now), a
    £2,000 coach on its budget, ready_to_offer's steps done and `holder` its signatory."""
    starts, ends = running_now()
    award = make_award(
        funding_round=funding_round,
        organisation=organisation,
        created_by=created_by,
        reference=reference,
        starts=starts,
        ends=ends,
        title=title,
    )
    BudgetLine.objects.create(
        application=award.application,
        item=budget_item,
        financial_year=award.splits.get().financial_year,
        cost_kind=CostKind.LABOUR,
        amount=Decimal("2000.00"),
    )
    ready_to_offer(award, entered_by=holder, staff=staff, signatory=holder)
    Award.objects.filter(pk=award.pk).update(status=AwardStatus.ACTIVE)
    return Award.objects.get(pk=award.pk)


def make_ready(document: AgreementDocument, content: bytes = PDF) -> AgreementDocument:
    """The PDF the worker would have rendered and signed: here a few bytes standing for it."""
    document.file.save(f"{document.kind}.pdf", ContentFile(content), save=False)
    document.status, document.sha256 = PdfStatus.READY, hashlib.sha256(content).hexdigest()
    document.save()
    return document


def offer_ready(award: Award, by, template: AgreementTemplate) -> Award:
    """The award offered on the template, its offer's PDF ready to be read and accepted."""
    award = services.award_offer(award=award, by=by, template=template)
    make_ready(
        AgreementDocument.objects.filter(agreement__award=award, kind="offer").latest(
            "agreement__version"
        )
    )
    return award
