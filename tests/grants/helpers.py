"""Helpers for the grants service tests: an application already in a status, someone who
may act for an organisation, and what a refused write must leave as it was."""

import datetime

from django.forms.models import model_to_dict
from django.utils import timezone

from grants.enums import ApplicationStatus, RoundStages, Stage
from grants.models import Application, FundingRound
from tests.factories import ApplicationFactory, FundingRoundFactory, MembershipFactory


def application_in(status, *, stage=Stage.FULL, **kwargs):
    """An application already at `status`, as the workflow would have left it."""
    if stage == Stage.EOI:
        kwargs.setdefault(
            "round",
            FundingRoundFactory(
                stages=RoundStages.TWO_STAGE,
                full_stage_closes_at=timezone.now() + datetime.timedelta(days=60),
            ),
        )
    submitted_at = (
        None if status == ApplicationStatus.DRAFT else timezone.now() - datetime.timedelta(days=1)
    )
    return ApplicationFactory(status=status, stage=stage, submitted_at=submitted_at, **kwargs)


def member_of(organisation):
    """Someone who may act for the organisation: the services check who is acting."""
    return MembershipFactory(organisation=organisation).user


def snapshot(application):
    """Everything a refused submission must leave as it was."""
    application = Application.objects.get(pk=application.pk)
    return {
        "fields": model_to_dict(application),
        "updated_at": application.updated_at,
        "budget_lines": list(
            application.budget_lines.order_by("pk").values_list(
                "pk", "item", "financial_year", "amount"
            )
        ),
        "status_changes": application.status_changes.count(),
        "next_number": FundingRound.objects.get(pk=application.round_id).next_application_number,
    }
