"""The panel report as downloads: one flat CSV, and an XLSX workbook of three or four sheets.

Both are read from `selectors.panel_report`, so a viewer conflicted on an application gets
it only in the withheld list, as on the report page. Each export names its columns: the CSV
is a `ReportLine` per line, whose fields are the columns; each sheet of the workbook is a
list of `Column`s. Cells pass through `svd_portal.exports`, which stops them running as
formulas.
"""

from collections.abc import Iterator
from decimal import Decimal
from operator import attrgetter
from typing import Annotated, Any, NamedTuple

from django.http import HttpResponse, StreamingHttpResponse

from svd_portal.exports import (
    Column,
    cells,
    csv_response,
    headings,
    row_headings,
    xlsx_workbook_response,
)

WITHHELD = "Withheld from you: you are conflicted on it"

Number = Decimal | int | None


class ReportLine(NamedTuple):
    """A line of the CSV report. The fields are its columns, in order; each section fills
    only the fields it has, the rest stay blank."""

    section: Annotated[str, "Section"]
    rank: Annotated[int | str, "Rank"] = ""
    reference: Annotated[str, "Reference"] = ""
    organisation: Annotated[str, "Organisation"] = ""
    title: Annotated[str, "Title"] = ""
    member: Annotated[str, "Member"] = ""
    member_organisation: Annotated[str, "Member organisation"] = ""
    criterion: Annotated[str, "Criterion"] = ""
    weight: Annotated[Decimal | str, "Weight"] = ""
    score: Annotated[Number | str, "Score"] = ""
    # A member's comment on a score; on a declaration, the interest declared.
    comment: Annotated[str, "Comment"] = ""
    total: Annotated[Number | str, "Total (%)"] = ""
    mean: Annotated[Number | str, "Mean (%)"] = ""
    spread: Annotated[Number | str, "Spread (points)"] = ""
    # "Yes"/"No" on a ranking line; "Conflict" on a declaration that is one.
    flagged: Annotated[str, "Flagged"] = ""
    # On a withheld line, why nothing else of it shows.
    recommendation: Annotated[str, "Recommendation"] = ""
    recommended_amount: Annotated[Decimal | str, "Recommended amount (£)"] = ""
    cumulative: Annotated[Decimal | str, "Cumulative (£)"] = ""
    rationale: Annotated[str, "Rationale"] = ""
    conditions: Annotated[str, "Conditions"] = ""


REPORT_HEADINGS = row_headings(ReportLine)


class Declaration(NamedTuple):
    """One of `panel_report`'s declaration rows."""

    reference: str
    applicant: str
    title: str
    member: str
    member_organisation: str
    has_interest: bool
    interest: str
    is_conflict: bool

    @property
    def interest_text(self) -> str:
        return self.interest if self.has_interest else "No interest"


class MemberMarks(NamedTuple):
    """One member's scorecard on a ranked application: {criterion id: (score, comment)}."""

    row: Any
    member: Any
    marks: dict

    @property
    def total(self) -> Number:
        return self.row.member_totals.get(self.member.pk)


def panel_report_response(report: dict, *, filename: str, kind: str):
    """The report as `filename`.csv or `filename`.xlsx."""
    if kind == "csv":
        return report_csv(report, filename=filename)
    return report_xlsx(report, filename=filename)


# --- CSV: one flat table ----------------------------------------------------------------


def report_csv(report: dict, *, filename: str) -> StreamingHttpResponse:
    return csv_response(filename, REPORT_HEADINGS, report_lines(report))


def report_lines(report: dict) -> Iterator[ReportLine]:
    """Per application its ranking line, a line per member and criterion, the consensus
    scores; then each application withheld from the viewer, then every declaration."""
    criteria = report["criteria"]
    by_application = _member_marks(report)
    for row in report["ranking"]:
        a, m = row.application, row.moderation
        # The fields after the section, on every line of a ranked application: rank,
        # reference, organisation and title (given in order: 45,000 lines add up).
        application = (row.rank, a.reference, a.organisation.name, a.title)
        yield ReportLine(
            "Ranking",
            *application,
            mean=_blank_if_none(row.mean),
            spread=_blank_if_none(row.spread),
            flagged="Yes" if row.flagged else "No",
            recommendation=m.get_recommendation_display() if m else "",
            recommended_amount=m.recommended_amount if m else "",
            cumulative=_blank_if_none(row.cumulative),
            rationale=m.rationale if m else "",
            conditions=m.conditions if m else "",
        )
        for card in by_application.get(a.pk, ()):
            total = _blank_if_none(card.total)
            for criterion in criteria:
                score, comment = card.marks.get(criterion.pk, (None, ""))
                yield ReportLine(
                    "Score",
                    *application,
                    member=card.member.user.full_name,
                    member_organisation=card.member.organisation.name,
                    criterion=criterion.title,
                    weight=criterion.weight,
                    score=score,
                    comment=comment,
                    total=total,
                )
        consensus = report["moderated_scores"].get(a.pk, {})
        for criterion in criteria:
            if (score := consensus.get(criterion.pk)) is not None:
                yield ReportLine(
                    "Consensus",
                    *application,
                    criterion=criterion.title,
                    weight=criterion.weight,
                    score=score,
                    total=m.total if m else "",
                )
    for a in report["withheld"]:
        # Listed apart and unranked: the recommendation column says why, nothing else shows.
        yield ReportLine(
            "Withheld",
            reference=a.reference,
            organisation=a.organisation.name,
            title=a.title,
            recommendation=WITHHELD,
        )
    for d in _declarations(report):
        yield ReportLine(
            "Declaration",
            reference=d.reference,
            organisation=d.applicant,
            title=d.title,
            member=d.member,
            member_organisation=d.member_organisation,
            comment=d.interest_text,
            flagged="Conflict" if d.is_conflict else "",
        )


# --- XLSX: a sheet per kind of row ------------------------------------------------------


def report_xlsx(report: dict, *, filename: str) -> HttpResponse:
    """Ranking, a row per scorecard with a column per criterion, the declarations, and
    the applications withheld from the viewer if any. Wider than the CSV, and a tenth of
    its cells."""
    scorecards = (card for cards in _member_marks(report).values() for card in cards)
    sheets = [
        ("Ranking", ranking_columns(report), report["ranking"]),
        ("Scores", score_columns(report), scorecards),
        ("Declarations", DECLARATION_COLUMNS, _declarations(report)),
    ]
    if report["withheld"]:
        sheets.append(("Withheld", WITHHELD_COLUMNS, report["withheld"]))
    return xlsx_workbook_response(
        filename,
        [(title, headings(columns), cells(columns, items)) for title, columns, items in sheets],
    )


def _moderation(attribute: str, default):
    """A column value read from the row's moderation, `default` when there is none."""
    read = attrgetter(attribute)
    return lambda row: default if row.moderation is None else read(row.moderation)


def ranking_columns(report: dict) -> list[Column]:
    consensus = report["moderated_scores"]
    return [
        Column("Rank", attrgetter("rank")),
        Column("Reference", attrgetter("application.reference")),
        Column("Organisation", attrgetter("application.organisation.name")),
        Column("Title", attrgetter("application.title")),
        Column("Amount requested (£)", attrgetter("application.amount_requested")),
        Column("Scorecards", lambda row: len(row.member_totals)),
        Column("Mean (%)", attrgetter("mean")),
        Column("Spread (points)", attrgetter("spread")),
        Column("Flagged", lambda row: "Yes" if row.flagged else "No"),
        Column("Moderated (%)", _moderation("total", None)),
        Column(
            "Recommendation",
            lambda row: row.moderation.get_recommendation_display() if row.moderation else "",
        ),
        Column("Recommended amount (£)", _moderation("recommended_amount", None)),
        Column("Cumulative (£)", attrgetter("cumulative")),
        Column("Rationale", _moderation("rationale", "")),
        Column("Conditions", _moderation("conditions", "")),
        *(
            Column(
                f"Consensus: {c.title}",
                lambda row, pk=c.pk: consensus.get(row.application.pk, {}).get(pk),
            )
            for c in report["criteria"]
        ),
    ]


def score_columns(report: dict) -> list[Column]:
    criteria = report["criteria"]
    return [
        Column("Reference", attrgetter("row.application.reference")),
        Column("Member", attrgetter("member.user.full_name")),
        Column("Member organisation", attrgetter("member.organisation.name")),
        Column("Total (%)", attrgetter("total")),
        *(
            Column(f"{c.number}. {c.title}", lambda card, pk=c.pk: card.marks.get(pk, (None,))[0])
            for c in criteria
        ),
        *(
            Column(f"Comment {c.number}", lambda card, pk=c.pk: card.marks.get(pk, (None, ""))[1])
            for c in criteria
        ),
    ]


DECLARATION_COLUMNS = [
    Column("Reference", attrgetter("reference")),
    Column("Organisation", attrgetter("applicant")),
    Column("Title", attrgetter("title")),
    Column("Member", attrgetter("member")),
    Column("Member organisation", attrgetter("member_organisation")),
    Column("Interest", attrgetter("interest_text")),
    Column("Conflict", lambda d: "Yes" if d.is_conflict else "No"),
]

WITHHELD_COLUMNS = [
    Column("Reference", attrgetter("reference")),
    Column("Organisation", attrgetter("organisation.name")),
    Column("Title", attrgetter("title")),
    # Headed blank since the sheet began; the cell says why the row holds nothing else.
    Column("", lambda application: WITHHELD),
]


# --- Shared reads -------------------------------------------------------------------------


def _blank_if_none(value):
    return "" if value is None else value


def _member_marks(report: dict) -> dict[int, list[MemberMarks]]:
    """Per ranked application, in ranking order, its scorecards in the panel's member order."""
    members = report["members"]
    by_application = {}
    for row in report["ranking"]:
        by_member = report["scores"].get(row.application.pk, {})
        by_application[row.application.pk] = [
            MemberMarks(row, member, marks)
            for member in members
            if (marks := by_member.get(member.pk)) is not None
        ]
    return by_application


def _declarations(report: dict) -> Iterator[Declaration]:
    return map(Declaration._make, report["declaration_rows"])
