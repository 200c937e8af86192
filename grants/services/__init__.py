"""Every write to grants data, one module per concept, re-exported here."""

from .application_workflow import (
    APPLICATION_MOVES,
    ApplicantMail,
    applicant_mail,
    application_invite_to_full,
    application_move,
    application_record_eligibility,
    application_submit,
    application_withdraw,
    submission_problems,
)
from .applications import (
    EDITABLE_FIELDS,
    application_start,
    application_update,
    budget_line_add,
    budget_line_remove,
    cap_for,
)
from .attachments import (
    ALLOWED_ATTACHMENT_TYPES,
    attachment_add,
    attachment_download_name,
    attachment_remove,
    detect_content_type,
)
from .awarding import round_check_not_held, round_decide, round_hold, round_release
from .awards import AWARD_MOVES, allocation_set, award_withdraw, stream_save
from .panels import (
    assignments_set,
    declaration_make,
    member_may_score,
    moderation_record,
    panel_save,
    scorecard_reopen,
    scorecard_save,
)
from .rounds import (
    ROUND_MOVES,
    round_move,
    round_move_permission,
    round_save,
    rounds_follow_dates,
)

__all__ = [
    "ALLOWED_ATTACHMENT_TYPES",
    "APPLICATION_MOVES",
    "AWARD_MOVES",
    "allocation_set",
    "award_withdraw",
    "stream_save",
    "EDITABLE_FIELDS",
    "ROUND_MOVES",
    "ApplicantMail",
    "applicant_mail",
    "assignments_set",
    "declaration_make",
    "member_may_score",
    "moderation_record",
    "panel_save",
    "scorecard_reopen",
    "scorecard_save",
    "application_invite_to_full",
    "application_move",
    "application_record_eligibility",
    "application_start",
    "application_submit",
    "application_update",
    "application_withdraw",
    "attachment_add",
    "attachment_download_name",
    "attachment_remove",
    "budget_line_add",
    "budget_line_remove",
    "cap_for",
    "detect_content_type",
    "round_check_not_held",
    "round_decide",
    "round_hold",
    "round_release",
    "round_move",
    "round_move_permission",
    "round_save",
    "rounds_follow_dates",
    "submission_problems",
]
