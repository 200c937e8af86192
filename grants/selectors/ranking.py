"""The panel's results: the ranking by moderated score and the report, withholding from each
viewer what they are conflicted on."""

from dataclasses import dataclass
from decimal import Decimal

from .. import scoring
from ..enums import (
    FUNDING_RECOMMENDATIONS,
    SCORABLE_STATUSES,
    ApplicationStatus,
    ScorecardStatus,
)
from ..models import (
    Application,
    ConflictDeclaration,
    FundingRound,
    ModeratedScore,
    Moderation,
    Panel,
    Score,
    Scorecard,
)
from .panels import conflicted_application_ids, outstanding_work, withheld_applications


@dataclass
class RankingRow:
    application: Application
    member_totals: dict[int, Decimal]
    mean: Decimal | None
    spread: Decimal | None
    flagged: bool
    moderation: Moderation | None
    cumulative: Decimal | None = None
    rank: int = 0

    @property
    def totals(self) -> list[Decimal]:
        return list(self.member_totals.values())


RANKED_STATUSES = SCORABLE_STATUSES | {ApplicationStatus.AWARDED, ApplicationStatus.DECLINED}


def round_ranking(*, funding_round: FundingRound, viewer) -> list[RankingRow]:
    """The round's assessed applications by moderated score, then mean, with the running
    total of recommended amounts against the budget, as `viewer` may see them: the
    applications they are conflicted on are left out altogether, so neither their rank,
    their amount nor a running total that includes them shows (`withheld_applications`
    lists them apart).

    A fixed number of queries; the members' totals come as plain tuples, which keeps a
    500-application round fast.
    """
    return _ranking(
        funding_round=funding_round,
        withheld=conflicted_application_ids(user=viewer, funding_round=funding_round),
    )


def ranking_page(*, funding_round: FundingRound, viewer) -> dict:
    """What the ranking page shows `viewer`: the ranking, the applications withheld from
    them and each member's outstanding work, reading what they are conflicted on once."""
    hidden = conflicted_application_ids(user=viewer, funding_round=funding_round)
    panel = Panel.objects.filter(round=funding_round).select_related("round").first()
    return {
        "ranking": _ranking(funding_round=funding_round, withheld=hidden, panel=panel),
        "withheld": withheld_applications(funding_round=funding_round, ids=hidden),
        "outstanding": outstanding_work(panel=panel, hidden=hidden) if panel else [],
    }


def _ranking(
    *, funding_round: FundingRound, withheld: set[int], panel: Panel | None = None
) -> list[RankingRow]:
    panel = panel or Panel.objects.filter(round=funding_round).first()
    threshold = panel.spread_threshold if panel else Decimal("100")
    applications = (
        Application.objects.filter(round=funding_round, status__in=sorted(RANKED_STATUSES))
        .exclude(pk__in=withheld)
        .select_related("organisation", "moderation")
        .only(
            "reference",
            "title",
            "status",
            "amount_requested",
            "round_id",
            "organisation__name",
            "organisation__kind",
            "moderation__total",
            "moderation__recommendation",
            "moderation__recommended_amount",
            "moderation__rationale",
            "moderation__conditions",
            "moderation__application_id",
        )
    )
    member_totals: dict[int, dict[int, Decimal]] = {}
    for application_id, member_id, total in (
        Scorecard.objects.filter(application__round=funding_round, status=ScorecardStatus.SUBMITTED)
        .exclude(application_id__in=withheld)
        .order_by("pk")
        .values_list("application_id", "member_id", "total")
    ):
        member_totals.setdefault(application_id, {})[member_id] = total
    rows = []
    for application in applications:
        totals = member_totals.get(application.pk, {})
        application_spread = scoring.spread(list(totals.values()))
        rows.append(
            RankingRow(
                application=application,
                member_totals=totals,
                mean=scoring.mean(list(totals.values())),
                spread=application_spread,
                flagged=application_spread is not None and application_spread > threshold,
                moderation=getattr(application, "moderation", None),
            )
        )
    lowest = Decimal("-1")
    rows.sort(
        key=lambda r: (
            r.moderation.total if r.moderation else lowest,
            r.mean if r.mean is not None else lowest,
            -r.application.pk,
        ),
        reverse=True,
    )
    running = Decimal("0")
    for rank, row in enumerate(rows, start=1):
        row.rank = rank
        if row.moderation and row.moderation.recommendation in FUNDING_RECOMMENDATIONS:
            running += row.moderation.recommended_amount
            row.cumulative = running
    return rows


def panel_report(*, funding_round: FundingRound, viewer, for_download: bool = True) -> dict:
    """Everything in the evidence pack: ranking, members, every score, declarations, as
    `viewer` may see it: of an application they are conflicted on, only that it is
    withheld from them (`withheld`: reference, title and organisation, unranked).

    `scores[application_id][member_id][criterion_id]` is (score, comment), read as
    tuples rather than model instances: a round of 500 × 8 × 10 has 40,000 scores.
    The printable page (`for_download=False`) leaves out the comments, the consensus
    scores and the full declaration list, which only the downloads carry.
    """
    withheld = conflicted_application_ids(user=viewer, funding_round=funding_round)
    panel = Panel.objects.select_related("chair").filter(round=funding_round).first()
    members = list(panel.members.select_related("user", "organisation")) if panel else []
    # Only submitted scorecards are the panel's evidence; drafts are still being written.
    scores: dict[int, dict[int, dict[int, tuple]]] = {}
    submitted = Scorecard.objects.filter(
        application__round=funding_round, status=ScorecardStatus.SUBMITTED
    ).exclude(application_id__in=withheld)
    if for_download:
        # The downloads carry the comments too: read the score rows themselves.
        for application_id, member_id, criterion_id, score, comment in Score.objects.filter(
            scorecard__in=submitted
        ).values_list(
            "scorecard__application_id", "scorecard__member_id", "criterion_id", "score", "comment"
        ):
            scores.setdefault(application_id, {}).setdefault(member_id, {})[criterion_id] = (
                score,
                comment,
            )
    else:
        for application_id, member_id, marks in submitted.values_list(
            "application_id", "member_id", "marks"
        ):
            scores.setdefault(application_id, {})[member_id] = {
                int(criterion_id): (score, "") for criterion_id, score in marks.items()
            }
    moderated_scores: dict[int, dict[int, int]] = {}
    if for_download:
        for application_id, criterion_id, score in (
            ModeratedScore.objects.filter(moderation__application__round=funding_round)
            .exclude(moderation__application_id__in=withheld)
            .values_list("moderation__application_id", "criterion_id", "score")
        ):
            moderated_scores.setdefault(application_id, {})[criterion_id] = score
    declarations = ConflictDeclaration.objects.filter(application__round=funding_round).exclude(
        application_id__in=withheld
    )
    interests = list(
        declarations.filter(has_interest=True)
        .select_related("member__user", "member__organisation", "application")
        .order_by("application__reference", "member__user__full_name")
    )
    # Every declaration, as plain tuples, for the downloads (5,000 in a large round).
    declaration_rows = declarations.order_by(
        "application__reference", "member__user__full_name"
    ).values_list(
        "application__reference",
        "application__organisation__name",
        "application__title",
        "member__user__full_name",
        "member__organisation__name",
        "has_interest",
        "interest",
        "is_conflict",
    )
    return {
        "panel": panel,
        "members": members,
        "criteria": list(funding_round.criteria.all()),
        "ranking": _ranking(funding_round=funding_round, withheld=withheld),
        "withheld": withheld_applications(funding_round=funding_round, ids=withheld),
        "scores": scores,
        "moderated_scores": moderated_scores,
        "interests": interests,
        "nil_declarations": declarations.filter(has_interest=False).count(),
        "declaration_rows": declaration_rows,
    }
