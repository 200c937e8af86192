"""HTML for the panel's two big tables, built in Python.

A 500-application round has 500 ranking rows and 40,000 score cells; Django's
template engine takes seconds over them, this takes milliseconds. Every text
value passes through `escape`; the rest are numbers the portal computed.
"""

from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from svd_portal.formatting import money

CELL = '<td class="govuk-table__cell">'
NUM = '<td class="govuk-table__cell govuk-table__cell--numeric">'
HEAD = '<th scope="col" class="govuk-table__header">'
NUM_HEAD = '<th scope="col" class="govuk-table__header govuk-table__header--numeric">'


def _or_dash(value, suffix="") -> str:
    return "–" if value is None else f"{value}{suffix}"


def _scrolls(label: str, table: str) -> str:
    """The table in a region of its own that scrolls sideways, so the page does not on a
    phone; focusable, so keyboard users can scroll it too (WCAG 1.4.10 and 2.1.1)."""
    return (
        f'<div class="portal-table-scroll" tabindex="0" role="region" aria-label="{label}">'
        f"{table}</div>"
    )


def ranking_table(ranking, *, funding_round, detailed: bool) -> SafeString:
    """The ranking: links to moderation on the ranking page; rationale and conditions in the report."""
    headings = [
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
    head = "".join(f"{tag}{label}</th>" for tag, label in headings)
    moderate_url = reverse("grants:panel-moderate", args=[funding_round.slug, "REFERENCE"])
    rows = []
    for row in ranking:
        a, m = row.application, row.moderation
        reference = escape(a.reference)
        name = (
            reference
            if detailed
            else f'<a class="govuk-link" href="{moderate_url.replace("REFERENCE", reference)}">{reference}</a>'
        )
        flag = (
            ' <strong class="govuk-tag govuk-tag--orange">Discuss</strong>' if row.flagged else ""
        )
        if m is None:
            recommendation = "Not moderated"
        else:
            recommendation = f"<strong>{escape(m.get_recommendation_display())}</strong>"
            if detailed:
                recommendation += f": {escape(m.rationale)}"
                if m.conditions:
                    recommendation += f"<br>Conditions: {escape(m.conditions)}"
        rows.append(
            '<tr class="govuk-table__row">'
            f"{NUM}{row.rank}</td>"
            f'{CELL}{name} {escape(a.title)}<br><span class="govuk-hint govuk-!-font-size-16">{escape(a.organisation.name)}'
            f" · asks {money(a.amount_requested)}</span></td>"
            f"{NUM}{len(row.member_totals)}</td>"
            f"{NUM}{_or_dash(row.mean, '%')}</td>"
            f"{NUM}{_or_dash(row.spread)}{flag}</td>"
            f"{NUM}{_or_dash(m.total if m else None, '%')}</td>"
            f"{CELL}{recommendation}</td>"
            f"{NUM}{money(m.recommended_amount) if m else '–'}</td>"
            f"{NUM}{money(row.cumulative) if row.cumulative is not None else '–'}</td>"
            "</tr>"
        )
    if not rows:
        rows.append(
            '<tr class="govuk-table__row"><td class="govuk-table__cell" colspan="9">No application is in assessment.</td></tr>'
        )
    return mark_safe(  # noqa: S308 (every text value above is escaped)
        _scrolls(
            "Ranking",
            '<table class="govuk-table govuk-!-font-size-16"><caption class="govuk-table__caption govuk-visually-hidden">'
            "Applications by moderated score, then by members' mean</caption>"
            f'<thead class="govuk-table__head"><tr class="govuk-table__row">{head}</tr></thead>'
            f'<tbody class="govuk-table__body">{"".join(rows)}</tbody></table>',
        )
    )


def score_tables(report) -> SafeString:
    """Scores by member and criterion: a table per application, in ranking order."""
    criteria = report["criteria"]
    members = report["members"]
    head = "".join(
        f'{NUM_HEAD}{c.number}<span class="govuk-visually-hidden"> {escape(c.title)}</span></th>'
        for c in criteria
    )
    names = {m.pk: escape(m.user.full_name) for m in members}
    criterion_ids = [c.id for c in criteria]
    parts = []
    for row in report["ranking"]:
        application = row.application
        by_member = report["scores"].get(application.pk, {})
        if not by_member:
            continue
        lines = []
        for member in members:
            marks = by_member.get(member.pk)
            if marks is None:
                continue
            cells = "".join(
                [
                    f"{NUM}{'–' if (m := marks.get(cid)) is None or m[0] is None else m[0]}</td>"
                    for cid in criterion_ids
                ]
            )
            total = row.member_totals.get(member.pk)
            lines.append(
                '<tr class="govuk-table__row"><th scope="row" class="govuk-table__header">'
                f"{names[member.pk]}</th>{cells}{NUM}{_or_dash(total) if total is not None else 'draft'}</td></tr>"
            )
        parts.append(
            _scrolls(
                f"Scores for {escape(application.reference)}",
                '<table class="govuk-table"><caption class="govuk-table__caption govuk-table__caption--s">'
                f"{escape(application.reference)}: {escape(application.title)}</caption>"
                f'<thead class="govuk-table__head"><tr class="govuk-table__row">{HEAD}Member</th>{head}'
                f'{NUM_HEAD}Total</th></tr></thead><tbody class="govuk-table__body">{"".join(lines)}</tbody></table>',
            )
        )
    return mark_safe("".join(parts))  # noqa: S308 (every text value above is escaped)
