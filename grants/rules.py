"""Who may do what with rounds and applications. Views, templates and the admin ask these."""

import rules

from partners.enums import MembershipStatus
from partners.rules import is_opcc_staff

from .enums import FINAL_STATUSES, ApplicationStatus, Channel


@rules.predicate
def is_applicant(user, application):
    """An active member of the organisation that applied."""
    if application is None or not user.is_authenticated:
        return False
    cache = getattr(user, "_active_organisation_ids", None)
    if cache is None:
        cache = set(
            user.memberships.filter(status=MembershipStatus.ACTIVE).values_list(
                "organisation_id", flat=True
            )
        )
        user._active_organisation_ids = cache
    return application.organisation_id in cache


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


rules.add_perm("grants.setup_panel", is_opcc_staff)
rules.add_perm("grants.score_round", is_round_panel_member)
rules.add_perm("grants.view_panel_results", is_opcc_staff | is_round_chair)
rules.add_perm("grants.moderate_round", is_opcc_staff | is_round_chair)
rules.add_perm("grants.reopen_scorecard", is_round_chair)
