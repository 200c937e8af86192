"""Who may do what with rounds and applications. Views, templates and the admin ask these."""

import rules

from partners.enums import MembershipStatus
from partners.rules import is_active_member, is_opcc, is_opcc_staff, is_pcc

from .enums import FINAL_STATUSES, ApplicationStatus, Channel


def _active_organisation_ids(user) -> set[int]:
    cache = getattr(user, "_active_organisation_ids", None)
    if cache is None:
        cache = set(
            user.memberships.filter(status=MembershipStatus.ACTIVE).values_list(
                "organisation_id", flat=True
            )
        )
        user._active_organisation_ids = cache
    return cache


@rules.predicate
def is_applicant(user, application):
    """An active member of the organisation that applied."""
    if application is None or not user.is_authenticated:
        return False
    return application.organisation_id in _active_organisation_ids(user)


@rules.predicate
def is_award_holder(user, award):
    """An active member of the organisation the award was made to."""
    if award is None or not user.is_authenticated:
        return False
    return award.organisation_id in _active_organisation_ids(user)


@rules.predicate
def is_award_signatory(user, award):
    """An authorised signatory of the organisation the award was made to."""
    if award is None or not user.is_authenticated:
        return False
    return award.organisation.memberships.filter(
        user=user, status=MembershipStatus.ACTIVE, is_signatory=True
    ).exists()


@rules.predicate
def is_draft(user, application):
    return application is not None and application.status == ApplicationStatus.DRAFT


@rules.predicate
def is_undecided(user, application):
    return application is not None and application.status not in FINAL_STATUSES


@rules.predicate
def is_logged_by_staff(user, application):
    return application is not None and application.channel != Channel.PORTAL


rules.add_perm("grants.manage_rounds", is_opcc_staff)
rules.add_perm("grants.read_application", is_applicant | is_opcc_staff)
# Providers fill in their own drafts; staff fill in the bids they logged from email or paper.
rules.add_perm(
    "grants.edit_application", is_draft & (is_applicant | (is_opcc_staff & is_logged_by_staff))
)
rules.add_perm("grants.withdraw_application", is_undecided & is_applicant)
# Who starts an application (the object is the organisation applying), and who may act on
# one for the OPCC. Services ask these too, whoever calls them.
rules.add_perm("grants.start_application", is_active_member)
rules.add_perm("grants.log_bid", is_opcc_staff)
rules.add_perm("grants.record_eligibility", is_opcc_staff)
rules.add_perm("grants.invite_to_full", is_opcc_staff)
# Staff open, close and move a round to assessment; a round is decided only when the PCC
# signs a decision on it.
rules.add_perm("grants.move_round", is_opcc_staff)
rules.add_perm("grants.decide_round", is_pcc)

# The money after the signature: staff keep the streams and run the awards; the Chief
# Executive and the PCC may read them; an organisation sees its own awards.
rules.add_perm("grants.manage_streams", is_opcc_staff)
rules.add_perm("grants.view_money", is_opcc)
rules.add_perm("grants.manage_awards", is_opcc_staff)
rules.add_perm("grants.view_award", is_award_holder | is_opcc)
# Before the offer: an organisation's members enter its bank details (staff may, from a
# letter); staff verify them (never the person who entered them: the service checks) and
# keep the agreement templates. Only the organisation's authorised signatory accepts,
# declines or asks for changes to an agreement.
rules.add_perm("grants.enter_bank_details", is_active_member | is_opcc_staff)
rules.add_perm("grants.verify_bank_details", is_opcc_staff)
rules.add_perm("grants.manage_agreement_templates", is_opcc_staff)
rules.add_perm("grants.answer_agreement", is_award_signatory)
# Delivery: the organisation's members fill in and submit its monitoring returns; staff set
# the delivery plan, accept or return the returns and raise payments, which another member
# of staff approves (the service checks that it is someone else).
rules.add_perm("grants.report_on_award", is_award_holder)
rules.add_perm("grants.manage_payments", is_opcc_staff)
rules.add_perm("grants.propose_variation", is_award_holder | is_opcc_staff)
# The PCC decides a variation above VARIATION_PCC_THRESHOLD, by signing its decision record.
rules.add_perm("grants.decide_variation", is_pcc)

# The admin: staff look after the evidence strands and can read the rest.
rules.add_perm("grants", is_opcc_staff)
for model in ("fundinground", "application", "awardcap", "assessmentcriterion", "budgetline"):
    rules.add_perm(f"grants.view_{model}", is_opcc_staff)
for action in ("view", "add", "change"):
    rules.add_perm(f"grants.{action}_evidencestrand", is_opcc_staff)


# --- Panels: predicates take the funding round --------------------------------------


@rules.predicate
def is_round_panel_member(user, funding_round):
    if funding_round is None or not user.is_authenticated:
        return False
    return (
        hasattr(funding_round, "panel") and funding_round.panel.members.filter(user=user).exists()
    )


@rules.predicate
def is_round_chair(user, funding_round):
    if funding_round is None or not user.is_authenticated:
        return False
    return hasattr(funding_round, "panel") and funding_round.panel.chair_id == user.pk


@rules.predicate
def is_round_deputy_chair(user, funding_round):
    if funding_round is None or not user.is_authenticated:
        return False
    return hasattr(funding_round, "panel") and funding_round.panel.deputy_chair_id == user.pk


def conflicted_on(user_id, application) -> bool:
    """Whether this person may learn nothing of the application: they declared a conflict
    on it, belong to the applicant organisation, or represent it on the round's panel."""
    if application.conflict_declarations.filter(member__user_id=user_id, is_conflict=True).exists():
        return True
    if application.organisation.memberships.filter(
        user_id=user_id, status=MembershipStatus.ACTIVE
    ).exists():
        return True
    panel = getattr(application.round, "panel", None)
    return (
        panel is not None
        and panel.members.filter(
            user_id=user_id, organisation_id=application.organisation_id
        ).exists()
    )


@rules.predicate
def is_conflicted(user, application):
    return application is not None and user.is_authenticated and conflicted_on(user.pk, application)


@rules.predicate
def is_chair_of_application(user, application):
    return application is not None and is_round_chair(user, application.round)


@rules.predicate
def is_deputy_for_application(user, application):
    """The deputy chair, for an application on which the chair is conflicted."""
    if application is None or not is_round_deputy_chair(user, application.round):
        return False
    return conflicted_on(application.round.panel.chair_id, application)


rules.add_perm("grants.setup_panel", is_opcc_staff)
rules.add_perm("grants.score_round", is_round_panel_member)
# The round's pages of results: each withholds what the viewer is conflicted on.
rules.add_perm("grants.view_panel_results", is_opcc_staff | is_round_chair | is_round_deputy_chair)
rules.add_perm("grants.moderate_round", is_opcc_staff | is_round_chair | is_round_deputy_chair)
# One application's moderation: never by someone conflicted on it; the deputy chair takes
# over where the chair is conflicted.
rules.add_perm(
    "grants.moderate_application",
    ~is_conflicted & (is_opcc_staff | is_chair_of_application | is_deputy_for_application),
)
rules.add_perm("grants.reopen_scorecard", is_round_chair)
