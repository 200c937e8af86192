"""A chair conflicted on an application learns nothing of it from any page or download:
not its amount, its rank, its place in the running total, nor a total that includes it.
It is listed apart, unranked; the totals shown leave it out and say so; its moderation
passes to the deputy chair or OPCC staff. Staff, with no conflict, see it all."""

import csv
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import load_workbook

from grants import services
from grants.enums import ApplicationStatus, Recommendation
from grants.models import Moderation, PanelMember

# Ruth is the panel's deputy chair.
DEPUTY_CHAIR = "member_user"
SECRET = "Scored down for weak safeguarding references"
# What the conflicted chair must never see: YV1-0001 asks £7,250 and is recommended
# £5,250; with YV1-0002's £1,000 the total is £6,250 and £3,750 of £10,000 is left.
HIDDEN_FIGURES = ["7,250", "7250", "5,250", "5250", "6,250", "6250", "3,750", "3750"]


@pytest.fixture
def conflicted_round(
    funding_round, chair, member, third, make_application, declare, score, moderate, staff_user
):
    """Daniel chairs, Ruth is deputy chair. Daniel has a conflict on YV1-0001, which the
    others scored and staff moderated; YV1-0002 was scored and moderated as usual."""
    application = make_application(amount=Decimal("7250"))
    second = make_application("Healthy relationships in schools", amount=Decimal("3500"))
    declare(chair, application, conflict=True)
    score(member, application, [5, 4], comments=[SECRET, "Good"])
    score(third, application, [3, 2], comments=["Fair", "Fair"])
    moderate(application, Decimal("5250"), scores=(4, 3), by=staff_user, rationale=SECRET)
    score(chair, second, [2, 2])
    score(member, second, [3, 3], comments=["Visible to the chair", ""])
    moderate(second, Decimal("1000"), scores=(3, 3))
    return funding_round


def assert_nothing_of_the_withheld(text):
    assert SECRET not in text
    for figure in HIDDEN_FIGURES:
        assert figure not in text, figure


def test_ranking_lists_the_conflicted_application_apart_and_totals_without_it(
    client_as, chair_user, conflicted_round
):
    response = client_as(chair_user).get(f"/panel/{conflicted_round.slug}/ranking/")

    assert response.status_code == 200
    html = response.content.decode()
    assert_nothing_of_the_withheld(html)
    # Ranked and totalled without YV1-0001, which is listed apart, unranked.
    ranking = response.context["ranking"]
    assert [(r.rank, r.application.reference, r.cumulative) for r in ranking] == [
        (1, "YV1-0002", Decimal("1000.00"))
    ]
    assert [a.reference for a in response.context["withheld"]] == ["YV1-0001"]
    assert "Withheld from you" in html
    assert "recommended so far, leaving out the 1 application withheld from you, £1,000" in html
    assert "What is left to recommend is not shown to you" in html
    assert "left to recommend £9,000" not in html


def test_staff_ranking_has_every_application_and_the_true_totals(
    client_as, staff_user, conflicted_round
):
    response = client_as(staff_user).get(f"/panel/{conflicted_round.slug}/ranking/")
    assert [
        (r.rank, r.application.reference, r.cumulative) for r in response.context["ranking"]
    ] == [
        (1, "YV1-0001", Decimal("5250.00")),
        (2, "YV1-0002", Decimal("6250.00")),
    ]
    assert response.context["withheld"] == []
    assert "left to recommend £3,750" in response.content.decode()


def test_report_page_has_nothing_of_the_conflicted_application(
    client_as, chair_user, conflicted_round
):
    response = client_as(chair_user).get(f"/panel/{conflicted_round.slug}/report/")

    assert response.status_code == 200
    html = response.content.decode()
    assert_nothing_of_the_withheld(html)
    assert "YV1-0001: Mentoring for young people at risk</caption>" not in html
    assert "YV1-0002: Healthy relationships in schools</caption>" in html
    assert "leave out the 1 application withheld from you" in html
    # Other members' declarations on it are its business too.
    assert "Board member of the applicant" not in html


def test_report_csv_lists_the_conflicted_application_apart(client_as, chair_user, conflicted_round):
    response = client_as(chair_user).get(f"/panel/{conflicted_round.slug}/report.csv")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert_nothing_of_the_withheld(text)
    rows = list(csv.reader(io.StringIO(text)))
    assert [r for r in rows if "YV1-0001" in r] == [
        [
            "Withheld",
            "",
            "YV1-0001",
            "Darlington Youth Mentoring Trust",
            "Mentoring for young people at risk",
        ]
        + [""] * 10
        + ["Withheld from you: you are conflicted on it"]
        + [""] * 4
    ]
    ranking = [r for r in rows if r[0] == "Ranking"]
    assert [(r[1], r[2], r[17]) for r in ranking] == [("1", "YV1-0002", "1000.00")]
    assert "Visible to the chair" in text


def test_report_xlsx_lists_the_conflicted_application_apart(
    client_as, chair_user, conflicted_round
):
    response = client_as(chair_user).get(f"/panel/{conflicted_round.slug}/report.xlsx")
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    book = load_workbook(io.BytesIO(body))
    assert book.sheetnames == ["Ranking", "Scores", "Declarations", "Withheld"]
    cells = [str(c) for ws in book for row in ws.iter_rows(values_only=True) for c in row]
    assert_nothing_of_the_withheld("\n".join(cells))
    ranking = list(book["Ranking"].iter_rows(values_only=True))[1:]
    assert [(row[0], row[1], row[12]) for row in ranking] == [(1, "YV1-0002", 1000)]
    assert list(book["Withheld"].iter_rows(values_only=True))[1:] == [
        (
            "YV1-0001",
            "Darlington Youth Mentoring Trust",
            "Mentoring for young people at risk",
            "Withheld from you: you are conflicted on it",
        )
    ]


def test_staff_see_the_whole_report(client_as, staff_user, conflicted_round):
    response = client_as(staff_user).get(f"/panel/{conflicted_round.slug}/report.csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert SECRET in text
    assert "Withheld" not in text


def test_conflicted_chair_cannot_open_its_moderation(client_as, chair_user, conflicted_round):
    client = client_as(chair_user)
    assert (
        client.get(f"/panel/{conflicted_round.slug}/applications/YV1-0001/moderate/").status_code
        == 404
    )
    assert (
        client.get(f"/panel/{conflicted_round.slug}/applications/YV1-0002/moderate/").status_code
        == 200
    )


def test_deputy_chair_moderates_what_the_chair_is_conflicted_on_and_nothing_else(
    client_as, member_user, conflicted_round
):
    client = client_as(member_user)
    criteria = list(conflicted_round.criteria.order_by("number"))
    data = {f"score_{c.pk}": "4" for c in criteria}
    data.update(
        rationale="Re-moderated by the deputy.",
        recommendation="fund",
        conditions="",
        recommended_amount="5000",
    )
    response = client.post(f"/panel/{conflicted_round.slug}/applications/YV1-0001/moderate/", data)
    assert response.status_code == 302
    moderation = Moderation.objects.get(application__reference="YV1-0001")
    assert (moderation.moderated_by, moderation.recommended_amount) == (
        member_user,
        Decimal("5000.00"),
    )
    # The chair is not conflicted on YV1-0002: that stays the chair's.
    assert (
        client.get(f"/panel/{conflicted_round.slug}/applications/YV1-0002/moderate/").status_code
        == 404
    )
    response = client.post(f"/panel/{conflicted_round.slug}/applications/YV1-0002/moderate/", data)
    assert response.status_code == 404
    assert Moderation.objects.get(application__reference="YV1-0002").recommended_amount == Decimal(
        "1000.00"
    )


def test_conflicted_chair_over_budget_message_does_not_reveal_what_is_left(
    chair_user, conflicted_round, make_application, score, moderate
):
    third_application = make_application("Boxing after school", amount=Decimal("9000"))
    member = PanelMember.objects.get(panel__round=conflicted_round, user__full_name="Ruth Ellison")
    score(member, third_application, [4, 4])
    with pytest.raises(ValidationError) as caught:
        moderate(third_application, Decimal("9000"))
    assert caught.value.message_dict == {
        "recommended_amount": [
            "This would take the recommendations past the round's budget of £10,000"
        ]
    }
    third_application.refresh_from_db()
    assert third_application.status == ApplicationStatus.UNDER_ASSESSMENT


def test_moderation_service_refuses_the_conflicted_chair(chair_user, conflicted_round):
    application = conflicted_round.applications.get(reference="YV1-0001")
    with pytest.raises(PermissionDenied):
        services.moderation_record(
            application=application,
            by=chair_user,
            scores={c.pk: 5 for c in conflicted_round.criteria.all()},
            rationale="Trying anyway.",
            recommendation=Recommendation.FUND,
            recommended_amount=Decimal("7000"),
        )
    assert Moderation.objects.get(application=application).recommended_amount == Decimal("5250.00")
