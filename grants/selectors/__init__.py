"""Reads of grants data used in more than one place, scoped to who is asking; one module
per subject, re-exported here."""

from .applications import (
    application_for_page,
    applications_for_staff_list,
    applications_for_user,
    organisations_for_applying,
    organisations_waiting_for_verification,
    round_draft_holders,
    rounds_for_staff,
    rounds_public,
)
from .awards import (
    NOT_SCHEDULED_STATUSES,
    Schedule,
    ScheduleRow,
    applications_moved_since_scheduled,
    round_schedule_of_awards,
)
from .panels import (
    applications_for_member,
    conflicted_application_ids,
    decided_application_for_member,
    next_application_for_member,
    outstanding_scorers,
    panel_member_for,
    panel_outstanding,
    panel_workload,
    panels_for_user,
    scorecards_for_application,
    withheld_applications,
    withheld_for,
)
from .ranking import (
    RANKED_STATUSES,
    RankingRow,
    panel_report,
    round_ranking,
)

__all__ = [
    "NOT_SCHEDULED_STATUSES",
    "RANKED_STATUSES",
    "RankingRow",
    "Schedule",
    "ScheduleRow",
    "application_for_page",
    "applications_for_member",
    "applications_for_staff_list",
    "applications_for_user",
    "applications_moved_since_scheduled",
    "conflicted_application_ids",
    "decided_application_for_member",
    "next_application_for_member",
    "organisations_for_applying",
    "organisations_waiting_for_verification",
    "outstanding_scorers",
    "panel_member_for",
    "panel_outstanding",
    "panel_report",
    "panel_workload",
    "panels_for_user",
    "round_draft_holders",
    "round_ranking",
    "round_schedule_of_awards",
    "rounds_for_staff",
    "rounds_public",
    "scorecards_for_application",
    "withheld_applications",
    "withheld_for",
]
