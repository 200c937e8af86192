"""Who may do what with decision records. State guards are predicates too, so the button
shown and the check made are the same thing."""

import rules

from partners.rules import is_chief_executive, is_opcc, is_opcc_staff, is_pcc

from .enums import DecisionStatus


def _status(status):
    @rules.predicate(name=f"is_{status}")
    def predicate(user, record):
        return record is not None and record.status == status

    return predicate


is_draft = _status(DecisionStatus.DRAFT)
is_awaiting_approval = _status(DecisionStatus.AWAITING_APPROVAL)
is_awaiting_signature = _status(DecisionStatus.AWAITING_SIGNATURE)
is_signed_or_published = _status(DecisionStatus.SIGNED) | _status(DecisionStatus.PUBLISHED)

rules.add_perm("decisions.view_records", is_opcc)
rules.add_perm("decisions.create_record", is_opcc_staff)
rules.add_perm("decisions.edit_record", is_opcc_staff & is_draft)
rules.add_perm("decisions.submit_record", is_opcc_staff & is_draft)
rules.add_perm("decisions.approve_record", is_chief_executive & is_awaiting_approval)
rules.add_perm("decisions.sign_record", is_pcc & is_awaiting_signature)
rules.add_perm("decisions.correct_record", is_opcc_staff & is_signed_or_published)

# The admin: staff read everything; nothing is changed there once signed.
rules.add_perm("decisions", is_opcc_staff)
rules.add_perm("decisions.view_decisionrecord", is_opcc_staff)
rules.add_perm("decisions.change_decisionrecord", is_opcc_staff & is_draft)
rules.add_perm("decisions.view_decisionstatuschange", is_opcc_staff)
rules.add_perm("decisions.regenerate_document", is_opcc_staff & is_signed_or_published)
