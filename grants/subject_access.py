"""What grants holds about a person, for subject access (svd_portal/subject_access.py): the
applications they wrote or submitted, with the files they uploaded; their panels'
declarations of interest and scorecards; the monitoring returns they submitted, with their
files."""

from django.db.models import Q

from svd_portal.subject_access import Held, register

from .models import (
    Application,
    Attachment,
    ConflictDeclaration,
    MonitoringReturn,
    ReturnAttachment,
    Scorecard,
)


def _applications(person) -> Held:
    applications = (
        Application.objects.filter(Q(created_by=person) | Q(submitted_by=person))
        .select_related("round", "organisation")
        .order_by("created_at", "pk")
    )
    rows = [
        {
            "reference": application.reference,
            "round": application.round.title,
            "organisation": application.organisation.name,
            "title": application.title,
            "status": application.get_status_display(),
            "amount_requested": application.amount_requested,
            "written_by_them": application.created_by_id == person.pk,
            "submitted_by_them": application.submitted_by_id == person.pk,
            "submitted_at": application.submitted_at,
        }
        for application in applications
    ]
    files = [
        (
            f"{attachment.application.reference}/{attachment.pk}-{attachment.original_name}",
            attachment.file,
        )
        for attachment in Attachment.objects.filter(uploaded_by=person)
        .select_related("application")
        .order_by("pk")
    ]
    return Held(rows, files)


def _declarations(person) -> Held:
    return Held(
        [
            {
                "application": declaration.application.reference,
                "has_interest": declaration.has_interest,
                "interest": declaration.interest,
                "conflicted": declaration.is_conflict,
                "declared_at": declaration.declared_at,
            }
            for declaration in ConflictDeclaration.objects.filter(member__user=person)
            .select_related("application")
            .order_by("declared_at", "pk")
        ]
    )


def _scores(person) -> Held:
    scorecards = (
        Scorecard.objects.filter(member__user=person)
        .select_related("application")
        .prefetch_related("scores__criterion")
        .order_by("pk")
    )
    return Held(
        [
            {
                "application": scorecard.application.reference,
                "status": scorecard.get_status_display(),
                "submitted_at": scorecard.submitted_at,
                "total": scorecard.total,
                "scores": [
                    {
                        "criterion": score.criterion.title,
                        "score": score.score,
                        "comment": score.comment,
                    }
                    for score in sorted(scorecard.scores.all(), key=lambda s: s.criterion.number)
                ],
            }
            for scorecard in scorecards
        ]
    )


def _returns(person) -> Held:
    returns = (
        MonitoringReturn.objects.filter(submitted_by=person)
        .select_related("award")
        .order_by("award__reference", "number")
    )
    rows = [
        {
            "grant": monitoring_return.award.reference,
            "return": monitoring_return.number,
            "status": monitoring_return.get_status_display(),
            "narrative": monitoring_return.narrative,
            "case_study": monitoring_return.case_study,
            "risks": monitoring_return.risks,
        }
        for monitoring_return in returns
    ]
    files = [
        (
            f"{attachment.monitoring_return.award.reference}-{attachment.monitoring_return.number}/"
            f"{attachment.pk}-{attachment.original_name}",
            attachment.file,
        )
        for attachment in ReturnAttachment.objects.filter(uploaded_by=person)
        .select_related("monitoring_return__award")
        .order_by("pk")
    ]
    return Held(rows, files)


def connect() -> None:
    register("applications", _applications)
    register("panel_declarations", _declarations)
    register("panel_scores", _scores)
    register("monitoring_returns", _returns)
