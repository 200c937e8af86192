"""Who may do what in partners. Views, the admin and templates all ask these."""

import rules

from .enums import MembershipStatus, Role

is_opcc_staff = rules.is_group_member(Role.OPCC_STAFF)
is_chief_executive = rules.is_group_member(Role.CHIEF_EXECUTIVE)
is_pcc = rules.is_group_member(Role.PCC)
is_panel_member = rules.is_group_member(Role.PANEL_MEMBER)
is_provider = rules.is_group_member(Role.PROVIDER)
is_opcc = is_opcc_staff | is_chief_executive | is_pcc


@rules.predicate
def is_active_member(user, organisation):
    if not user.is_authenticated or organisation is None:
        return False
    return organisation.memberships.filter(user=user, status=MembershipStatus.ACTIVE).exists()


@rules.predicate
def is_superuser_target(user, target):
    """The person being changed is a superuser: only another superuser may touch them."""
    return target is not None and getattr(target, "is_superuser", False)


# The roles that run the portal and approve and sign decisions. Their accounts, and granting
# them, are for a superuser: otherwise a member of staff could make themselves the PCC, or set
# the PCC's password and sign in their name.
PRIVILEGED_ROLES = (Role.OPCC_STAFF, Role.CHIEF_EXECUTIVE, Role.PCC)


@rules.predicate
def is_privileged_target(user, target):
    """The person being changed holds a privileged role: only a superuser may touch them."""
    return target is not None and target.groups.filter(name__in=PRIVILEGED_ROLES).exists()


# The admin is for OPCC staff; superusers pass every check anyway.
rules.add_perm("admin.access", is_opcc_staff)
rules.add_perm("partners", is_opcc_staff)
for model in (
    "user",
    "organisation",
    "membership",
    "partnership",
    "partnershipmember",
    "strategicpriority",
    "successmeasure",
):
    rules.add_perm(f"partners.view_{model}", is_opcc_staff)
    rules.add_perm(f"partners.add_{model}", is_opcc_staff)
    if model != "user":
        rules.add_perm(f"partners.change_{model}", is_opcc_staff)
rules.add_perm("partners.change_user", is_opcc_staff & ~is_superuser_target & ~is_privileged_target)
# Deleting people or organisations loses history: superusers only (no rule).
for model in (
    "partnership",
    "partnershipmember",
    "strategicpriority",
    "successmeasure",
    "membership",
):
    rules.add_perm(f"partners.delete_{model}", is_opcc_staff)
rules.add_perm("partners.view_organisationstatuschange", is_opcc_staff)

# The portal's own pages.
rules.add_perm("partners.verify_organisation", is_opcc_staff)
rules.add_perm("partners.decide_membership", is_opcc_staff)
rules.add_perm("partners.view_organisation_page", is_active_member | is_opcc_staff)
# The audit trail (/staff/audit/): OPCC staff read it; nobody changes it.
rules.add_perm("partners.view_audit_trail", is_opcc_staff)
# The retention schedule's dry run (/staff/retention/): OPCC staff read it.
rules.add_perm("partners.view_retention", is_opcc_staff)
# Subject access: everything held about one person, downloaded by OPCC staff.
rules.add_perm("partners.subject_access", is_opcc_staff)
