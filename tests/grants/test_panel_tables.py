"""The ranking and the score tables escape whatever text they show: titles, organisation
and member names, criteria, the moderator's rationale and conditions."""

from decimal import Decimal

import pytest
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from grants import panel_tables
from grants.enums import Recommendation
from partners.models import Organisation

SLUG = "youth-violence-2025"
TITLE = 'Tom & Jerry <b>"x"</b>'
ORGANISATION = "<i>O'Neil & Sons</i>"


@pytest.fixture
def hostile(member_user, member, application, score, moderate):
    """Every text the tables show holds HTML."""
    application.title = TITLE
    application.save(update_fields=["title"])
    Organisation.objects.filter(pk=application.organisation_id).update(name=ORGANISATION)
    member_user.full_name = "Ruth <Ellison> & Co"
    member_user.save(update_fields=["full_name"])
    criterion = application.round.criteria.get(number=1)
    criterion.title = "Need & <evidence>"
    criterion.save(update_fields=["title"])
    score(member, application, [4, 3])
    moderate(
        application,
        Decimal("6000"),
        recommendation=Recommendation.FUND_WITH_CONDITIONS,
        rationale="Because <script>alert(1)</script>",
        conditions="A & B <img src=x onerror=alert(1)>",
    )
    return application


ESCAPED_APPLICATION = (
    ' Tom &amp; Jerry &lt;b&gt;&quot;x&quot;&lt;/b&gt;<br><span class="govuk-hint '
    'govuk-!-font-size-16">&lt;i&gt;O&#x27;Neil &amp; Sons&lt;/i&gt; · asks £6,000</span>'
)


def test_ranking_table_escapes_title_and_organisation(client_as, staff_user, hostile):
    html = client_as(staff_user).get(f"/panel/{SLUG}/ranking/").content.decode()

    assert (
        f'<a class="govuk-link" href="/panel/{SLUG}/applications/YV1-0001/moderate/">'
        f"YV1-0001</a>{ESCAPED_APPLICATION}"
    ) in html
    assert TITLE not in html
    assert ORGANISATION not in html


def test_report_tables_escape_every_text(client_as, staff_user, hostile):
    html = client_as(staff_user).get(f"/panel/{SLUG}/report/").content.decode()

    assert f'<td class="govuk-table__cell">YV1-0001{ESCAPED_APPLICATION}</td>' in html
    assert (
        "<strong>Fund with conditions</strong>: Because &lt;script&gt;alert(1)&lt;/script&gt;"
        "<br>Conditions: A &amp; B &lt;img src=x onerror=alert(1)&gt;</td>"
    ) in html
    assert (
        '<caption class="govuk-table__caption govuk-table__caption--s">'
        "YV1-0001: Tom &amp; Jerry &lt;b&gt;&quot;x&quot;&lt;/b&gt;</caption>"
    ) in html
    assert '<span class="govuk-visually-hidden"> Need &amp; &lt;evidence&gt;</span>' in html
    assert (
        '<th scope="row" class="govuk-table__header">Ruth &lt;Ellison&gt; &amp; Co</th>'
    ) in html
    for raw in ("<script>alert(1)</script>", "<img src=x", "<Ellison>", "<evidence>", TITLE):
        assert raw not in html


def test_join_refuses_text_that_format_html_did_not_make():
    assert panel_tables._join([format_html("<td>{}</td>", "<b>")]) == "<td>&lt;b&gt;</td>"
    with pytest.raises(TypeError):
        panel_tables._join([format_html("<td>{}</td>", 1), "<b>unescaped</b>"])


def test_memo_builds_each_cell_once_and_refuses_safe_text_and_decimals():
    cell = panel_tables.Memo()
    first = cell["<td>{}</td>", "<b>"]
    assert first == "<td>&lt;b&gt;</td>"
    assert cell["<td>{}</td>", "<b>"] is first
    with pytest.raises(TypeError):
        cell["<td>{}</td>", mark_safe("<i>")]
    with pytest.raises(TypeError):
        cell["<td>{}</td>", Decimal("72.0")]
