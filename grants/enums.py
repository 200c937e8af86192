from django.db import models


class RoundStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"
    ASSESSMENT = "assessment", "In assessment"
    DECIDED = "decided", "Decided"


class RoundStages(models.TextChoices):
    SINGLE = "single", "Single stage: full application"
    TWO_STAGE = "two_stage", "Two stages: expression of interest, then invited full application"


class Stage(models.TextChoices):
    EOI = "eoi", "Expression of interest"
    FULL = "full", "Full application"


class CapCategory(models.TextChoices):
    """Award caps depend on whether the organisation is registered (partners.enums.REGISTERED_KINDS)."""

    REGISTERED = "registered", "Registered organisations (charity, CIO, CIC, company)"
    UNREGISTERED = "unregistered", "Unregistered organisations (community groups and others)"


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    INELIGIBLE = "ineligible", "Not eligible"
    UNDER_ASSESSMENT = "under_assessment", "Under assessment"
    INVITED = "invited", "Invited to full application"
    NOT_INVITED = "not_invited", "Not invited"
    RECOMMENDED = "recommended", "Recommended"
    NOT_RECOMMENDED = "not_recommended", "Not recommended"
    AWARDED = "awarded", "Awarded"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"


FINAL_STATUSES = frozenset(
    {
        ApplicationStatus.INVITED,
        ApplicationStatus.NOT_INVITED,
        ApplicationStatus.AWARDED,
        ApplicationStatus.DECLINED,
        ApplicationStatus.WITHDRAWN,
    }
)
# The panel's recommendation is advice to the PCC: applicants see "under assessment"
# until the decision is signed, and are not emailed about it.
PANEL_ADVICE_STATUSES = frozenset(
    {ApplicationStatus.RECOMMENDED, ApplicationStatus.NOT_RECOMMENDED}
)


def status_for_applicant(status: str) -> str:
    if status in PANEL_ADVICE_STATUSES:
        return ApplicationStatus.UNDER_ASSESSMENT.label
    return ApplicationStatus(status).label


# Applications a panel scores: eligible ones, and those it has already recommended on.
SCORABLE_STATUSES = frozenset(
    {
        ApplicationStatus.UNDER_ASSESSMENT,
        ApplicationStatus.RECOMMENDED,
        ApplicationStatus.NOT_RECOMMENDED,
    }
)
# Applications that still count against "one live application per organisation".
NOT_LIVE_STATUSES = frozenset(
    {ApplicationStatus.WITHDRAWN, ApplicationStatus.INELIGIBLE, ApplicationStatus.NOT_INVITED}
)


class Channel(models.TextChoices):
    PORTAL = "portal", "Portal"
    EMAIL = "email", "Email (logged by staff)"
    PAPER = "paper", "Paper (logged by staff)"


class Toolkit(models.TextChoices):
    YEF = "yef", "Youth Endowment Fund Toolkit"
    COLLEGE_OF_POLICING = "cop", "College of Policing Crime Reduction Toolkit"


class AssignmentMode(models.TextChoices):
    ALL = "all", "Every member scores every eligible application"
    ASSIGNED = "assigned", "Staff assign applications to members"


class ScorecardStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"


class Recommendation(models.TextChoices):
    FUND = "fund", "Fund"
    FUND_WITH_CONDITIONS = "fund_with_conditions", "Fund with conditions"
    DO_NOT_FUND = "do_not_fund", "Do not fund"


FUNDING_RECOMMENDATIONS = frozenset({Recommendation.FUND, Recommendation.FUND_WITH_CONDITIONS})


class CostKind(models.TextChoices):
    """The Home Office's split of Serious Violence Duty money: staff costs, and the rest."""

    LABOUR = "labour", "Labour (staff costs)"
    NON_LABOUR = "non_labour", "Non-labour (everything else)"


class AwardStatus(models.TextChoices):
    DUE_DILIGENCE = "due_diligence", "Due diligence"
    OFFERED = "offered", "Offered"
    ACCEPTED = "accepted", "Accepted"
    ACTIVE = "active", "Active"
    CLOSED = "closed", "Closed"
    WITHDRAWN = "withdrawn", "Withdrawn"
    CLAWED_BACK = "clawed_back", "Clawed back"


# An award's money is committed against its stream until it is withdrawn. A clawed-back
# award stays committed: the money was paid out, and what is recovered is a receipt.
UNCOMMITTED_AWARD_STATUSES = frozenset({AwardStatus.WITHDRAWN})
# Nothing about these changes any more.
FINAL_AWARD_STATUSES = frozenset({AwardStatus.CLOSED, AwardStatus.CLAWED_BACK})
# Awards the holder has accepted: what the dashboard counts delivery of.
DELIVERING_AWARD_STATUSES = frozenset(
    {AwardStatus.ACCEPTED, AwardStatus.ACTIVE, AwardStatus.CLOSED, AwardStatus.CLAWED_BACK}
)


class DiligenceItem(models.TextChoices):
    """What OPCC staff check before a grant agreement is offered (GovS 015: proportionate to
    the amount). Bank details are checked on the organisation's BankAccount, not here."""

    ORGANISATION = "organisation", "Organisation status"
    SAFEGUARDING = "safeguarding", "Safeguarding policy"
    INSURANCE = "insurance", "Insurance"
    ACCOUNTS = "accounts", "Annual accounts"
    FRAUD_RISK = "fraud_risk", "Fraud-risk rating"


class FraudRisk(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class AgreementOutcome(models.TextChoices):
    """Where an offered grant agreement stands with the organisation's signatory."""

    OFFERED = "offered", "Waiting for the signatory"
    ACCEPTED = "accepted", "Accepted"
    CHANGES_ASKED = "changes_asked", "Changes asked for"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn by the OPCC"


class AgreementDocumentKind(models.TextChoices):
    # The agreement as offered, signed with the OPCC's certificate.
    OFFER = "offer", "Agreement"
    # The same file with the signatory's acceptance added as a second signature.
    ACCEPTED = "accepted", "Accepted agreement"


# --- Delivery: targets, monitoring returns, payments ----------------------------------------


class ReturnFrequency(models.TextChoices):
    """How often a grant holder reports, by the financial year's quarters or halves."""

    QUARTERLY = "quarterly", "Every quarter"
    HALF_YEARLY = "half_yearly", "Every six months"


class TargetKind(models.TextChoices):
    """What an award's delivery is counted by: the people reached in the age bands of the
    partnership's priorities, the sessions delivered, and outcomes linked to a success
    measure."""

    UNDER_18 = "under_18", "People reached aged under 18"
    AGED_18_24 = "aged_18_24", "People reached aged 18 to 24"
    AGED_25_35 = "aged_25_35", "People reached aged 25 to 35"
    OVER_35 = "over_35", "People reached aged over 35"
    SESSIONS = "sessions", "Sessions delivered"
    OUTCOME = "outcome", "Outcome"


# Every award counts these, in this order; outcomes follow.
OUTPUT_KINDS = [
    TargetKind.UNDER_18,
    TargetKind.AGED_18_24,
    TargetKind.AGED_25_35,
    TargetKind.OVER_35,
    TargetKind.SESSIONS,
]


class ReturnKind(models.TextChoices):
    PROGRESS = "progress", "Progress return"
    FINAL = "final", "Final report"


class ReturnStatus(models.TextChoices):
    DRAFT = "draft", "Not submitted"
    SUBMITTED = "submitted", "Submitted"
    RETURNED = "returned", "Returned for changes"
    ACCEPTED = "accepted", "Accepted"


# The grant holder may change a return in these.
OPEN_RETURN_STATUSES = frozenset({ReturnStatus.DRAFT, ReturnStatus.RETURNED})


class ReminderKind(models.TextChoices):
    """When a return not yet submitted is reminded of: 14 days before it is due, on the
    day, and 7 days after."""

    BEFORE = "before", "14 days before"
    ON_THE_DAY = "on_the_day", "On the day"
    OVERDUE = "overdue", "7 days after"


class PaymentStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    DUE = "due", "Due"
    RAISED = "raised", "Raised"
    APPROVED = "approved", "Approved"
    PAID = "paid", "Paid"
    # Not to be paid: the award was clawed back before it fell due.
    CANCELLED = "cancelled", "Cancelled"


class LedgerKind(models.TextChoices):
    PAYMENT = "payment", "Payment"
    CLAWBACK = "clawback", "Clawback"


class CloseOutItem(models.TextChoices):
    """What a member of staff confirms before an award is closed, beyond what the portal
    checks itself (the final report accepted, every payment made)."""

    SPEND_RECONCILED = (
        "spend_reconciled",
        ("The spend reported matches the payments, or the difference has been recovered"),
    )
    OUTCOMES_RECORDED = (
        "outcomes_recorded",
        ("The outcomes achieved are recorded against the targets"),
    )
    ASSETS = "assets", "Any equipment bought with the grant is accounted for"
    RECORDS_KEPT = "records_kept", "The grant holder knows to keep its records for seven years"


class VariationStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    # Above VARIATION_PCC_THRESHOLD: a draft PCC decision record links it.
    AWAITING_DECISION = "awaiting_decision", "Waiting for the PCC's decision"
    APPROVED = "approved", "Approved"
    REFUSED = "refused", "Refused"
    WITHDRAWN = "withdrawn", "Withdrawn"


OPEN_VARIATION_STATUSES = frozenset({VariationStatus.PROPOSED, VariationStatus.AWAITING_DECISION})
