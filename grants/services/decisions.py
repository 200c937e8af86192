"""What a signed PCC decision does to a round: called by the decisions app, which grants
never imports (dependencies run partners ← grants ← decisions)."""

from django.db import transaction

from partners.models import User

from ..enums import ApplicationStatus, RoundStatus
from ..models import Application, FundingRound
from .applications import application_move
from .rounds import round_move


@transaction.atomic
def round_decide(
    *, funding_round: FundingRound, approved: bool, by: User, reason: str
) -> list[Application]:
    """Applies the PCC's decision on a round's recommendations.

    Approved: recommended applications are awarded their recommended amount and the
    not-recommended ones are declined. Not approved: both are declined. The round
    moves to decided. Applicants are emailed after the transaction commits.
    """
    funding_round = FundingRound.objects.select_for_update().get(pk=funding_round.pk)
    changed = []
    applications = (
        Application.objects.select_for_update(of=("self",))
        .filter(
            round=funding_round,
            status__in=[ApplicationStatus.RECOMMENDED, ApplicationStatus.NOT_RECOMMENDED],
        )
        .select_related("moderation")
        .order_by("pk")
    )
    for application in applications:
        award = approved and application.status == ApplicationStatus.RECOMMENDED
        if award:
            application.awarded_amount = application.moderation.recommended_amount
            application.save(update_fields=["awarded_amount"])
        changed.append(
            application_move(
                application=application,
                to_status=ApplicationStatus.AWARDED if award else ApplicationStatus.DECLINED,
                by=by,
                reason=reason,
            )
        )
    if funding_round.status == RoundStatus.ASSESSMENT:
        round_move(funding_round=funding_round, to_status=RoundStatus.DECIDED, by=by, reason=reason)
    return changed
