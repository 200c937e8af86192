"""Writes to a draft application: starting it (from the portal or logged by staff), its
answers and its budget lines. Submission and every later move are in application_workflow."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from partners.enums import VerificationStatus
from partners.models import Organisation, User
from svd_portal.formatting import money
from svd_portal.history import attributed
from svd_portal.permissions import require_perm

from ..enums import (
    NOT_LIVE_STATUSES,
    ApplicationStatus,
    CapCategory,
    Channel,
    CostKind,
    RoundStatus,
)
from ..models import (
    Application,
    AwardCap,
    BudgetLine,
    FundingRound,
)
from ..sections import EDITABLE_FIELDS, WORD_LIMITS, word_count


def cap_for(*, funding_round: FundingRound, organisation: Organisation) -> AwardCap | None:
    category = CapCategory.REGISTERED if organisation.is_registered else CapCategory.UNREGISTERED
    return next((cap for cap in funding_round.caps.all() if cap.category == category), None)


def _live_applications(*, funding_round, organisation, stage, exclude_pk=None):
    applications = Application.objects.filter(
        round=funding_round, organisation=organisation, stage=stage
    ).exclude(status__in=NOT_LIVE_STATUSES)
    if exclude_pk:
        applications = applications.exclude(pk=exclude_pk)
    return applications


def allocate_reference(funding_round: FundingRound) -> str:
    funding_round = FundingRound.objects.select_for_update().get(pk=funding_round.pk)
    number = funding_round.next_application_number
    funding_round.next_application_number = number + 1
    funding_round.save(update_fields=["next_application_number"])
    return f"{funding_round.reference_prefix}-{number:04d}"


@attributed
@transaction.atomic
def application_start(
    *,
    funding_round: FundingRound,
    organisation: Organisation,
    by: User,
    title: str,
    channel: str = Channel.PORTAL,
    contact_name: str = "",
    contact_email: str = "",
    contact_address: str = "",
) -> Application:
    """Starts a draft for a verified organisation in an open round, at the round's first stage.

    Staff log bids that came by email or on paper with that channel and the contact of
    the person who sent it (a name, and an email or a postal address); they may do so
    after the closing date, since the bid arrived in time. Only a member of the
    organisation starts its application through the portal.
    """
    if channel == Channel.PORTAL:
        require_perm(
            by,
            "grants.start_application",
            organisation,
            message=f"Only a member of {organisation.name} can start its application",
        )
    else:
        require_perm(
            by,
            "grants.log_bid",
            funding_round,
            message="Only OPCC staff can log a bid that came by email or on paper",
        )
    funding_round = FundingRound.objects.select_for_update().get(pk=funding_round.pk)
    stage = funding_round.first_stage
    if organisation.verification_status != VerificationStatus.VERIFIED:
        raise ValidationError(
            f"{organisation.name} must be verified by OPCC staff before it can apply"
        )
    if not organisation.is_provider:
        raise ValidationError("Only provider organisations can apply for funding")
    if channel == Channel.PORTAL and not funding_round.is_accepting(stage=stage):
        raise ValidationError("This round is not open for applications")
    if channel != Channel.PORTAL and funding_round.status == RoundStatus.DRAFT:
        raise ValidationError("Bids can only be logged for a round that has been opened")
    if (
        not funding_round.allow_multiple_applications
        and _live_applications(
            funding_round=funding_round, organisation=organisation, stage=stage
        ).exists()
    ):
        raise ValidationError(
            f"{organisation.name} already has an application in this round: continue that one"
        )
    title = title.strip()
    if not title:
        raise ValidationError({"title": "Enter the project title"})
    contact = _logged_bid_contact(
        channel=channel, name=contact_name, email=contact_email, address=contact_address
    )
    application = Application.objects.create(
        round=funding_round,
        organisation=organisation,
        stage=stage,
        reference=allocate_reference(funding_round),
        title=title[:200],
        channel=channel,
        created_by=by,
        **contact,
    )
    return application


def _logged_bid_contact(*, channel: str, name: str, email: str, address: str) -> dict:
    """The contact fields of a new application, checked: a logged bid needs someone to tell."""
    name, email, address = name.strip(), email.strip(), address.strip().replace("\r\n", "\n")
    if channel == Channel.PORTAL:
        if name or email or address:
            raise ValueError("A portal application's contacts are its organisation's members")
        return {}
    errors = {}
    if not name:
        errors["contact_name"] = "Enter the name of the person who sent the bid"
    if email:
        try:
            validate_email(email)
            if len(email) > 254:  # the column's length, and the most RFC 5321 allows
                raise ValidationError("Too long")
        except ValidationError:
            errors["contact_email"] = (
                "Enter an email address in the correct format, like name@example.com"
            )
    elif not address:
        errors["contact_email"] = (
            f"Enter an email address or a postal address for {name or 'the person who sent it'}, "
            "so that they can be told what happens to the bid"
        )
    if errors:
        raise ValidationError(errors)
    return {"contact_name": name[:200], "contact_email": email, "contact_address": address[:500]}


def check_draft(application: Application) -> None:
    if application.status != ApplicationStatus.DRAFT:
        raise ValidationError(
            f"This application is {application.get_status_display().lower()}: it can no longer be changed"
        )


def check_editor(application: Application, by: User | None, *, doing: str = "change") -> None:
    """After check_draft: the person may fill this draft in (the view asks the same)."""
    require_perm(
        by,
        "grants.edit_application",
        application,
        message=f"Only the applicant, or OPCC staff for a bid they logged, can {doing} "
        "this application",
    )


def _check_word_limits(fields: dict) -> None:
    errors = {}
    for name, value in fields.items():
        limit = WORD_LIMITS.get(name)
        if limit and isinstance(value, str) and word_count(value) > limit:
            errors[name] = f"Use {limit} words or fewer (you have {word_count(value)})"
    if errors:
        raise ValidationError(errors)


@attributed
@transaction.atomic
def application_update(
    *,
    application: Application,
    by: User,
    fields: dict,
    priorities=None,
    success_measures=None,
) -> Application:
    """Saves part of a draft. Refuses text over its word limit and priorities the round does not fund."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    check_draft(application)
    check_editor(application, by)
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    _check_word_limits(fields)
    strand = fields.get("evidence_strand")
    if strand is not None and not strand.is_active:
        raise ValidationError({"evidence_strand": "Choose a strand from the current list"})
    if priorities is not None:
        funded = set(application.round.priorities.values_list("pk", flat=True))
        if any(priority.pk not in funded for priority in priorities):
            raise ValidationError({"priorities": "Choose only priorities this round funds"})
    for name, value in fields.items():
        setattr(application, name, value)
    application.full_clean(exclude=["priorities", "success_measures"])
    application.save()
    if priorities is not None:
        application.priorities.set(priorities)
    if success_measures is not None:
        application.success_measures.set(success_measures)
    return application


@attributed
@transaction.atomic
def budget_line_add(
    *,
    application: Application,
    by: User,
    item: str,
    financial_year: str,
    amount: Decimal,
    cost_kind: str = CostKind.NON_LABOUR,
) -> BudgetLine:
    application = Application.objects.select_for_update().get(pk=application.pk)
    check_draft(application)
    check_editor(application, by)
    line = BudgetLine(
        application=application,
        item=item.strip(),
        financial_year=financial_year,
        cost_kind=cost_kind,
        amount=amount,
    )
    if amount is None or amount <= 0:
        raise ValidationError({"amount": "Enter an amount more than £0"})
    line.full_clean()
    total = _lines_total(application) + amount
    cap = cap_for(funding_round=application.round, organisation=application.organisation)
    if cap is not None and total > cap.maximum:
        raise ValidationError(
            {
                "amount": f"The most {cap_words(application.organisation)} organisation can "
                f"ask for is {money(cap.maximum)}: with this line the budget would come to "
                f"{money(total)}"
            }
        )
    line.save()
    _amount_from_lines(application)
    return line


def cap_words(organisation: Organisation) -> str:
    """ "a registered" or "an unregistered", for a sentence about the cap."""
    return "a registered" if organisation.is_registered else "an unregistered"


def _lines_total(application: Application) -> Decimal:
    return sum(application.budget_lines.values_list("amount", flat=True), Decimal("0"))


def _amount_from_lines(application: Application) -> None:
    """The amount requested is the budget lines' total (none without lines): one figure,
    never a second one to keep equal."""
    lines = list(application.budget_lines.values_list("amount", flat=True))
    application.amount_requested = sum(lines, Decimal("0")) if lines else None
    application.save(update_fields=["amount_requested", "updated_at"])


@attributed
@transaction.atomic
def budget_line_remove(*, line: BudgetLine, by: User) -> None:
    application = Application.objects.select_for_update().get(pk=line.application_id)
    check_draft(application)
    check_editor(application, by)
    line.delete()
    _amount_from_lines(application)
