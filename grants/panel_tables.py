"""HTML for the panel's two big tables, built in Python.

A 500-application round has 500 ranking rows and 40,000 score cells; Django's
template engine takes seconds over them, this takes milliseconds. Every piece of
HTML is made by `format_html`, which escapes each value put into it (the only others
are the literal `<tr>` and `</tr>`), and pieces are joined only by `_join`, which
refuses plain text: no value reaches the page unescaped. The 40,000 score cells are a
few hundred distinct ones, each built once (`Memo`).
"""

from collections.abc import Iterable

from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from svd_portal.formatting import money

CELL = '<td class="govuk-table__cell">{}</td>'
NUM = '<td class="govuk-table__cell govuk-table__cell--numeric">{}</td>'
HEAD = '<th scope="col" class="govuk-table__header">{}</th>'
NUM_HEAD = '<th scope="col" class="govuk-table__header govuk-table__header--numeric">{}</th>'
ROW_HEAD = '<th scope="row" class="govuk-table__header">{}</th>'
DASH = "–"

RANKING_HEADINGS = [
    (NUM_HEAD, "Rank"),
    (HEAD, "Application"),
    (NUM_HEAD, "Scorecards"),
    (NUM_HEAD, "Mean"),
    (NUM_HEAD, "Spread"),
    (NUM_HEAD, "Moderated"),
    (HEAD, "Recommendation"),
    (NUM_HEAD, "Amount"),
    (NUM_HEAD, "Cumulative"),
]
APPLICATION = ' {}<br><span class="govuk-hint govuk-!-font-size-16">{} · asks {}</span></td>'
# The application on the report; on the ranking page its reference links to its moderation.
APPLICATION_CELL = '<td class="govuk-table__cell">{}' + APPLICATION
LINKED_APPLICATION_CELL = (
    '<td class="govuk-table__cell"><a class="govuk-link" href="{}">{}</a>' + APPLICATION
)
SPREAD_FLAGGED = (
    '<td class="govuk-table__cell govuk-table__cell--numeric">'
    '{} <strong class="govuk-tag govuk-tag--orange">Discuss</strong></td>'
)
RECOMMENDATION = '<td class="govuk-table__cell"><strong>{}</strong></td>'
NO_RANKING_ROW = format_html(
    '<tr class="govuk-table__row"><td class="govuk-table__cell" colspan="9">{}</td></tr>',
    "No application is in assessment.",
)
ROW_START = mark_safe('<tr class="govuk-table__row">')  # noqa: S308 (a literal)
ROW_END = mark_safe("</tr>")  # noqa: S308 (a literal)
# What format_html and _join return: the only pieces _join accepts.
SAFE = {SafeString}


def _join(parts: Iterable[SafeString]) -> SafeString:
    """Joins HTML pieces, each made by `format_html` (or by this); refuses plain text."""
    parts = list(parts)
    if not SAFE.issuperset(map(type, parts)):
        raise TypeError("Only HTML made by format_html may be joined into a panel table")
    return mark_safe("".join(parts))  # noqa: S308 (each part is already safe HTML, checked above)


class Memo(dict):
    """`memo[template, *values]` is `format_html(template, *values)`, built once per distinct
    key: a table repeats a few counts, amounts and scores thousands of times.

    Values must be plain `str` or `int`, whose equal values print the same (a Decimal
    would not: 72.0 == 72.00), and never text marked safe, so that a plain string equal
    to it cannot be served its unescaped HTML."""

    def __missing__(self, key):
        template, *values = key
        if not {type(value) for value in values} <= {str, int}:
            raise TypeError("Memo takes plain str and int values; format_html escapes them")
        html = self[key] = format_html(template, *values)
        return html


def _or_dash(value, suffix="") -> str:
    return DASH if value is None else f"{value}{suffix}"


def _scrolls(label: str, table: SafeString) -> SafeString:
    """The table in a region of its own that scrolls sideways, so the page does not on a
    phone; focusable, so keyboard users can scroll it too (WCAG 1.4.10 and 2.1.1)."""
    return format_html(
        '<div class="portal-table-scroll" tabindex="0" role="region" aria-label="{}">{}</div>',
        label,
        table,
    )


def ranking_table(ranking, *, funding_round, detailed: bool) -> SafeString:
    """The ranking: links to moderation on the ranking page; rationale and conditions in the report."""
    head = _join(format_html(tag, label) for tag, label in RANKING_HEADINGS)
    moderate_url = reverse("grants:panel-moderate", args=[funding_round.slug, "REFERENCE"])
    cell = Memo()
    rows = [
        _join(
            [
                ROW_START,
                format_html(NUM, row.rank),
                _application(row.application, moderate_url, detailed=detailed),
                cell[NUM, len(row.member_totals)],
                cell[NUM, _or_dash(row.mean, "%")],
                cell[SPREAD_FLAGGED if row.flagged else NUM, _or_dash(row.spread)],
                cell[NUM, _or_dash(row.moderation.total if row.moderation else None, "%")],
                _recommendation(row.moderation, cell, detailed=detailed),
                cell[NUM, money(row.moderation.recommended_amount) if row.moderation else DASH],
                cell[NUM, money(row.cumulative) if row.cumulative is not None else DASH],
                ROW_END,
            ]
        )
        for row in ranking
    ] or [NO_RANKING_ROW]
    return _scrolls(
        "Ranking",
        format_html(
            '<table class="govuk-table govuk-!-font-size-16">'
            '<caption class="govuk-table__caption govuk-visually-hidden">'
            "Applications by moderated score, then by members' mean</caption>"
            '<thead class="govuk-table__head"><tr class="govuk-table__row">{}</tr></thead>'
            '<tbody class="govuk-table__body">{}</tbody></table>',
            head,
            _join(rows),
        ),
    )


def _application(application, moderate_url: str, *, detailed: bool) -> SafeString:
    details = (
        application.title,
        application.organisation.name,
        money(application.amount_requested),
    )
    if detailed:
        return format_html(APPLICATION_CELL, application.reference, *details)
    return format_html(
        LINKED_APPLICATION_CELL,
        moderate_url.replace("REFERENCE", application.reference),
        application.reference,
        *details,
    )


def _recommendation(moderation, cell: Memo, *, detailed: bool) -> SafeString:
    if moderation is None:
        return cell[CELL, "Not moderated"]
    if not detailed:
        return cell[RECOMMENDATION, moderation.get_recommendation_display()]
    return format_html(
        '<td class="govuk-table__cell"><strong>{}</strong>: {}{}</td>',
        moderation.get_recommendation_display(),
        moderation.rationale,
        format_html("<br>Conditions: {}", moderation.conditions) if moderation.conditions else "",
    )


def score_tables(report) -> SafeString:
    """Scores by member and criterion: a table per application, in ranking order."""
    criteria = report["criteria"]
    head = _join(
        [
            format_html(HEAD, "Member"),
            *(
                format_html(
                    '<th scope="col" class="govuk-table__header govuk-table__header--numeric">'
                    '{}<span class="govuk-visually-hidden"> {}</span></th>',
                    c.number,
                    c.title,
                )
                for c in criteria
            ),
            format_html(NUM_HEAD, "Total"),
        ]
    )
    names = {m.pk: format_html(ROW_HEAD, m.user.full_name) for m in report["members"]}
    criterion_ids = [c.id for c in criteria]
    # A score is one of a few small numbers, a total one of a few hundred.
    cell = Memo()

    tables = []
    for row in report["ranking"]:
        application = row.application
        by_member = report["scores"].get(application.pk, {})
        if not by_member:
            continue
        lines = []
        for member_id, name in names.items():
            marks = by_member.get(member_id)
            if marks is None:
                continue
            total = row.member_totals.get(member_id)
            lines += [
                ROW_START,
                name,
                *[
                    cell[NUM, DASH if (m := marks.get(cid)) is None or m[0] is None else m[0]]
                    for cid in criterion_ids
                ],
                cell[NUM, "draft" if total is None else f"{total}"],
                ROW_END,
            ]
        tables.append(
            _scrolls(
                f"Scores for {application.reference}",
                format_html(
                    '<table class="govuk-table">'
                    '<caption class="govuk-table__caption govuk-table__caption--s">{}: {}</caption>'
                    '<thead class="govuk-table__head"><tr class="govuk-table__row">{}</tr></thead>'
                    '<tbody class="govuk-table__body">{}</tbody></table>',
                    application.reference,
                    application.title,
                    head,
                    _join(lines),
                ),
            )
        )
    return _join(tables)
