"""Panel members see their work (issue 19, item 8 and polish): staff set a day to score by;
a member's home page and /panel/ show, for each panel, what is left to declare and to score,
the day and whether it has passed; the email to people added names the day; a panel member
is not shown the providers' links."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from grants.models import Panel
from grants.selectors import work_of
from tests.factories import FundingRoundFactory
from tests.grants.helpers import panel_setup_post

pytestmark = pytest.mark.django_db

# A panel member's home page: the page's own queries, and what each panel adds (its
# applications, the member's declarations and scorecards on them).
HOME_QUERIES = 9
PER_PANEL = 3


def test_staff_set_the_day_to_score_by_and_it_round_trips(
    client_as, staff_user, funding_round, chair_user, member_user
):
    client = client_as(staff_user)
    answer = panel_setup_post(
        client, funding_round, [chair_user, member_user], chair_user, scoring_deadline="2027-01-15"
    )
    assert answer.status_code == 302
    assert Panel.objects.get(round=funding_round).scoring_deadline == datetime.date(2027, 1, 15)
    page = client.get(reverse("grants:panel-setup", args=[funding_round.slug]))
    assert 'name="scoring_deadline" value="2027-01-15"' in page.content.decode()


def test_an_impossible_day_is_refused_with_a_message(
    client_as, staff_user, funding_round, chair_user, member_user
):
    answer = panel_setup_post(
        client_as(staff_user),
        funding_round,
        [chair_user, member_user],
        chair_user,
        scoring_deadline="2027-02-30",
    )
    assert answer.status_code == 200
    assert "Enter the day to score by as a real date" in answer.content.decode()
    assert not Panel.objects.filter(round=funding_round).exists()


def test_the_email_to_people_added_names_the_day(
    client_as,
    staff_user,
    funding_round,
    chair_user,
    member_user,
    eager_celery,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        panel_setup_post(
            client_as(staff_user),
            funding_round,
            [chair_user, member_user],
            chair_user,
            scoring_deadline="2027-01-15",
        )
    ruth = next(m for m in mailoutbox if m.to == [member_user.email])
    assert "Declare any interest and score the applications here by 15 January 2027:\n" in (
        ruth.body
    )


def test_a_members_work_is_counted_per_panel(
    panel, member, chair, application, second_application, make_application, declare, score
):
    third_application = make_application("Detached youth work")
    score(member, application, [4, 3])  # declared and scored
    declare(member, second_application, conflict=True)  # declared, conflicted: nothing to score
    declare(chair, third_application)
    # The member: the third still to declare on, nothing to score, one scored.
    [work] = work_of(user=member.user)
    assert (work.member, work.to_declare, work.to_score, work.scored) == (member, 1, 0, 1)
    # The chair: two to declare on, the third to score.
    [work] = work_of(user=chair.user)
    assert (work.to_declare, work.to_score, work.scored) == (2, 1, 0)


def test_the_home_page_shows_a_member_their_work_and_the_day(
    client_as, panel, member, application, second_application, score
):
    Panel.objects.filter(pk=panel.pk).update(scoring_deadline=datetime.date(2027, 1, 15))
    score(member, application, [4, 3])
    page = client_as(member.user).get("/")
    body = page.content.decode()
    assert "Your scoring panels" in body
    assert reverse("grants:panel-round", args=[panel.round.slug]) in body
    assert _summary(body) == [
        ("To declare an interest on", "1"),
        ("To score", "0"),
        ("Scored", "1"),
        ("Score by", "15 January 2027"),
        ("You represent", "Durham County Council"),
    ]
    # Not the providers' links.
    assert "Your applications" not in body
    assert "Funding rounds open for applications" not in body
    # The same on /panel/, and the day on the round's page.
    assert _summary(client_as(member.user).get("/panel/").content.decode()) == _summary(body)
    round_page = client_as(member.user).get(reverse("grants:panel-round", args=[panel.round.slug]))
    assert (
        "The panel asks for every declaration and score by <strong>15 January 2027</strong>."
        in round_page.content.decode()
    )


def test_a_day_passed_with_work_left_is_a_warning(client_as, panel, member, application):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    Panel.objects.filter(pk=panel.pk).update(scoring_deadline=yesterday)
    body = client_as(member.user).get("/").content.decode()
    assert f"The panel asked for the scores by {yesterday:%-d %B %Y}." in body


def test_no_warning_once_the_work_is_done(client_as, panel, member, application, score):
    Panel.objects.filter(pk=panel.pk).update(
        scoring_deadline=timezone.localdate() - datetime.timedelta(days=1)
    )
    score(member, application, [4, 3])
    body = client_as(member.user).get("/").content.decode()
    assert "The panel asked for the scores by" not in body


def _summary(body: str) -> list[tuple[str, str]]:
    """The (key, value) pairs of the page's first panel summary card."""
    card = body[body.index('class="govuk-summary-card"') :]
    card = card[: card.index("</dl>")]
    return [
        (re.sub(r"\s+", " ", key).strip(), re.sub(r"<[^>]+>|\s+", " ", value).strip())
        for key, value in re.findall(
            r'<dt class="govuk-summary-list__key">(.*?)</dt><dd class="govuk-summary-list__value">(.*?)</dd>',
            card,
        )
    ]


def test_the_home_page_reads_a_fixed_number_of_queries_per_panel(
    client_as,
    panel,
    member,
    application,
    second_application,
    make_panel,
    member_user,
    make_application,
):
    client = client_as(member.user)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/").status_code == 200
        return len(captured)

    one_panel = queries()
    second_round = FundingRoundFactory(slug="second-round", reference_prefix="TWO")
    make_panel(second_round, member_user, [member_user])
    make_application("Detached youth work", round=second_round)
    assert (one_panel, queries()) == (HOME_QUERIES, HOME_QUERIES + PER_PANEL)
