"""grants.views.panels through HTTP: conflicts, independence, who reaches the panel pages,
and what providers and members are shown."""

from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.urls import reverse

from grants import services
from grants.enums import ScorecardStatus
from grants.models import (
    Attachment,
    ConflictDeclaration,
    Moderation,
    Score,
    Scorecard,
    ScorecardReopening,
)
from partners.enums import OrganisationKind, Role
from tests.factories import UserFactory
from tests.grants.helpers import moderation_data

SLUG = "youth-violence-2025"
TITLE = "Mentoring for young people at risk"
APPLICANT = "Darlington Youth Mentoring Trust"


def url(name, *args):
    return reverse(f"grants:{name}", args=[SLUG, *args])


def page(response) -> str:
    return response.content.decode()


def score_data(criteria, scores, comments=None, *, draft=False):
    comments = comments or [""] * len(criteria)
    data = {}
    for criterion, value, comment in zip(criteria, scores, comments, strict=True):
        data[f"score_{criterion.pk}"] = "" if value is None else str(value)
        data[f"comment_{criterion.pk}"] = comment
    data["save_draft" if draft else "submit"] = "1"
    return data


@pytest.fixture
def attachment(application, staff_user, tmp_path, monkeypatch):
    """A supporting document in a private storage of this test's own."""
    storage = FileSystemStorage(location=tmp_path / "private", base_url=None)
    monkeypatch.setattr(Attachment._meta.get_field("file"), "storage", storage)
    name = storage.save("applications/policy.pdf", ContentFile(b"%PDF-1.4 safeguarding policy"))
    return Attachment.objects.create(
        application=application,
        file=name,
        original_name="Safeguarding policy.pdf",
        content_type="application/pdf",
        size=28,
        uploaded_by=staff_user,
    )


# --- Conflicts ----------------------------------------------------------------------------


def test_score_page_conflicted_member_gets_404_everywhere(
    client_as, member_user, member, application, criteria, attachment, declare
):
    declare(member, application, conflict=True)
    client = client_as(member_user)
    for target in (
        url("panel-score", application.reference),
        url("panel-declare", application.reference),
        url("panel-attachment", application.reference, attachment.pk),
    ):
        assert client.get(target).status_code == 404, target
    response = client.post(
        url("panel-score", application.reference), score_data(criteria, [5, 5], ["Excellent", ""])
    )
    assert response.status_code == 404
    assert not Scorecard.objects.exists()
    assert not Score.objects.exists()
    # Their list names the conflict but not the project.
    listing = client.get(url("panel-round"))
    assert listing.status_code == 200
    assert "Conflict declared" in page(listing)
    assert TITLE not in page(listing)


def test_panel_attachment_declared_member_downloads(
    client_as, member_user, member, application, attachment, declare
):
    client = client_as(member_user)
    target = url("panel-attachment", application.reference, attachment.pk)
    # Not before the declaration.
    assert client.get(target).status_code == 404
    declare(member, application)
    response = client.get(target)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 safeguarding policy"


def test_declare_page_conflict_posted_keeps_member_out(client_as, member_user, member, application):
    client = client_as(member_user)
    response = client.post(
        url("panel-declare", application.reference),
        {"has_interest": "yes", "interest": "Trustee of the applicant", "is_conflict": "on"},
    )
    assert response.status_code == 302
    assert response["Location"] == url("panel-round")
    declaration = ConflictDeclaration.objects.get(member=member, application=application)
    assert (declaration.interest, declaration.is_conflict) == ("Trustee of the applicant", True)
    assert client.get(url("panel-score", application.reference)).status_code == 404


def test_declare_page_interest_without_text_shows_error(
    client_as, member_user, member, application
):
    response = client_as(member_user).post(
        url("panel-declare", application.reference), {"has_interest": "yes", "interest": ""}
    )
    assert response.status_code == 200
    assert "Describe the interest" in page(response)
    assert not ConflictDeclaration.objects.exists()


def test_score_page_interest_that_is_no_conflict_may_score(
    client_as, member_user, member, application, criteria, declare
):
    declare(member, application, interest="Met the applicant at a council forum")
    client = client_as(member_user)
    target = url("panel-score", application.reference)
    assert client.get(target).status_code == 200
    assert client.post(target, score_data(criteria, [4, 3])).status_code == 302
    assert str(Scorecard.objects.get(member=member, application=application).total) == "72.00"


def test_score_page_unassigned_application_404_when_panel_assigns(
    client_as,
    make_panel,
    funding_round,
    chair_user,
    member_user,
    application,
    second_application,
    staff_user,
):
    panel = make_panel(
        funding_round, chair_user, [chair_user, member_user], assignment_mode="assigned"
    )
    services.assignments_set(
        member=panel.members.get(user=member_user), applications=[second_application], by=staff_user
    )
    client = client_as(member_user)
    assert client.get(url("panel-declare", application.reference)).status_code == 404
    assert client.get(url("panel-declare", second_application.reference)).status_code == 200
    listing = page(client.get(url("panel-round")))
    assert "Healthy relationships in schools" in listing
    assert TITLE not in listing


def test_score_page_before_declaring_redirects_to_declare(
    client_as, member_user, member, application
):
    response = client_as(member_user).get(url("panel-score", application.reference))
    assert response.status_code == 302
    assert response["Location"] == url("panel-declare", application.reference)


def test_moderate_page_conflicted_chair_gets_404(
    client_as, chair_user, chair, application, declare
):
    declare(chair, application, conflict=True)
    assert (
        client_as(chair_user).get(url("panel-moderate", application.reference)).status_code == 404
    )


# --- Independence -------------------------------------------------------------------------


def test_score_page_others_scores_hidden_until_own_submitted(
    client_as, member_user, chair, member, application, criteria, declare, score
):
    # Daniel Okafor: (60 × 2 + 40 × 1) / 500 = 32.00
    score(
        chair, application, [2, 1], comments=["Referral routes are unproven", "No partners named"]
    )
    declare(member, application)
    client = client_as(member_user)
    target = url("panel-score", application.reference)

    before = page(client.get(target))
    assert "Referral routes are unproven" not in before
    assert "Daniel Okafor" not in before
    assert "32.00" not in before

    # A draft of their own is not enough.
    assert client.post(target, score_data(criteria, [4, None], draft=True)).status_code == 302
    draft = page(client.get(target))
    assert "Referral routes are unproven" not in draft
    assert "Daniel Okafor" not in draft

    assert client.post(target, score_data(criteria, [4, 3])).status_code == 302
    after = page(client.get(target))
    assert "Referral routes are unproven" in after
    assert "Daniel Okafor (Durham Constabulary): 32.00%" in after
    assert "Weighted total: <strong>72.00%</strong>" in after


def test_score_page_others_drafts_stay_hidden_after_own_submitted(
    client_as, member_user, member, third, application, score
):
    score(third, application, [1, None], comments=["Half-formed thought", ""], submit=False)
    score(member, application, [4, 3])
    content = page(client_as(member_user).get(url("panel-score", application.reference)))
    assert "Amira Haddad (County Durham Public Health): not submitted yet" in content
    assert "Half-formed thought" not in content


def test_score_page_submitted_scorecard_posted_again_unchanged(
    client_as, member_user, member, application, criteria, score
):
    score(member, application, [4, 3], comments=["Strong local data", "Good partners"])
    response = client_as(member_user).post(
        url("panel-score", application.reference),
        score_data(criteria, [5, 5], ["Changed my mind", "Changed"]),
    )
    assert response.status_code == 200
    assert "You have submitted this scorecard: ask the chair to reopen it" in page(response)
    scorecard = Scorecard.objects.get(member=member, application=application)
    assert (scorecard.status, str(scorecard.total)) == (ScorecardStatus.SUBMITTED, "72.00")
    assert [(s.score, s.comment) for s in scorecard.scores.all()] == [
        (4, "Strong local data"),
        (3, "Good partners"),
    ]


# --- Who reaches the panel pages ----------------------------------------------------------


@pytest.fixture
def other_round_member(make_round, make_panel, make_panellist):
    """Sits on another round's panel only."""
    user = make_panellist("Gareth Lowe", "Probation Service North East", OrganisationKind.PROBATION)
    make_panel(make_round(slug="another-round"), user, [user])
    return user


@pytest.mark.parametrize("who", ["other_round_member", "provider_user"])
def test_panel_round_page_outsiders_get_403(request, who, client_as, panel, application):
    client = client_as(request.getfixturevalue(who))
    for target in (url("panel-round"), url("panel-score", application.reference)):
        response = client.get(target)
        assert response.status_code == 403, target
        assert TITLE not in page(response)


def test_panel_round_page_anonymous_redirected_to_sign_in(client, panel, application):
    response = client.get(url("panel-round"))
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next=/panel/{SLUG}/"


def test_panel_round_page_member_sees_the_work(client_as, member_user, panel, application):
    response = client_as(member_user).get(url("panel-round"))
    assert response.status_code == 200
    assert TITLE in page(response)


RESULT_PAGES = [
    ("panel-ranking",),
    ("panel-report",),
    ("panel-report-export", "csv"),
    ("panel-report-export", "xlsx"),
]


@pytest.mark.parametrize("name", RESULT_PAGES)
def test_results_pages_non_chair_member_gets_403(
    name, client_as, member_user, member, application, moderate
):
    moderate(application, Decimal("6000"))
    response = client_as(member_user).get(url(*name))
    assert response.status_code == 403
    assert b"Strong referral routes" not in response.content


def test_moderate_page_non_chair_member_gets_403(
    client_as, member_user, member, application, criteria
):
    client = client_as(member_user)
    target = url("panel-moderate", application.reference)
    assert client.get(target).status_code == 403
    response = client.post(target, moderation_data(criteria, [4, 3], "6000"))
    assert response.status_code == 403
    assert not Moderation.objects.exists()


def test_scorecard_reopen_non_chair_member_gets_403(
    client_as, member_user, third, application, score
):
    scorecard = score(third, application, [4, 3])
    response = client_as(member_user).post(
        url("panel-scorecard-reopen", scorecard.pk), {"reason": "Too generous"}
    )
    assert response.status_code == 403
    scorecard.refresh_from_db()
    assert scorecard.status == ScorecardStatus.SUBMITTED
    assert not ScorecardReopening.objects.exists()


@pytest.mark.parametrize("who", ["chair_user", "staff_user"])
@pytest.mark.parametrize("name", RESULT_PAGES)
def test_results_pages_chair_and_staff_get_200(
    request, who, name, client_as, panel, application, moderate
):
    moderate(application, Decimal("6000"))
    response = client_as(request.getfixturevalue(who)).get(url(*name))
    assert response.status_code == 200


@pytest.mark.parametrize("name", RESULT_PAGES)
def test_results_pages_staff_200_before_a_panel_exists(name, client_as, staff_user, application):
    assert client_as(staff_user).get(url(*name)).status_code == 200


def test_ranking_page_shows_budget_and_cumulative(
    client_as, staff_user, panel, application, second_application, moderate
):
    moderate(application, Decimal("6000"))
    moderate(second_application, Decimal("2500.50"), scores=(5, 4))
    content = page(client_as(staff_user).get(url("panel-ranking")))
    assert "Budget £10,000; recommended so far £8,500.50; left to recommend £1,499.50." in content
    # Ranked by moderated score: 92.00 first, then 72.00.
    assert content.index("YV1-0002") < content.index("YV1-0001")


def test_scorecard_reopen_by_chair_through_http(client_as, chair_user, member, application, score):
    scorecard = score(member, application, [4, 3])
    response = client_as(chair_user).post(
        url("panel-scorecard-reopen", scorecard.pk), {"reason": "Scored the wrong budget"}
    )
    assert response.status_code == 302
    assert response["Location"] == url("panel-moderate", application.reference)
    scorecard.refresh_from_db()
    assert (scorecard.status, scorecard.total) == (ScorecardStatus.DRAFT, None)
    assert list(ScorecardReopening.objects.values_list("reason", "reopened_by")) == [
        ("Scored the wrong budget", chair_user.pk)
    ]


# --- What providers and members are shown -------------------------------------------------


def test_application_detail_provider_never_sees_scores(
    client_as, provider_user, chair, member, third, make_application, score, moderate
):
    application = make_application(
        "Street sport on the seafront",
        amount=Decimal("4800"),
        organisation=provider_user.memberships.get().organisation,
    )
    score(chair, application, [4, 3], comments=["Referral routes are unproven", ""])
    score(member, application, [5, 5])
    score(third, application, [2, 2])
    moderate(application, Decimal("4800"), scores=(5, 4))
    response = client_as(provider_user).get(
        reverse("grants:application-detail", args=[application.reference])
    )
    assert response.status_code == 200
    content = page(response)
    assert "Street sport on the seafront" in content
    # The panel's recommendation is advice to the PCC: the applicant still reads "Under assessment".
    assert "Under assessment" in content
    for secret in (
        "Recommended",
        "Daniel Okafor",
        "Ruth Ellison",
        "Amira Haddad",
        "Durham Constabulary",
        "Referral routes are unproven",
        "72.00",
        "100.00",
        "40.00",
        "92.00",
    ):
        assert secret not in content, secret


@pytest.mark.parametrize("hidden", [True, False])
def test_score_page_applicant_identity_follows_panel_setting(
    hidden, make_panel, funding_round, chair_user, member_user, application, client_as
):
    make_panel(funding_round, chair_user, [chair_user, member_user], hide_applicant_identity=hidden)
    client = client_as(member_user)
    # The declaration needs the name: a member cannot declare an interest in a secret.
    declare_page = client.get(url("panel-declare", application.reference))
    assert APPLICANT in page(declare_page)
    client.post(url("panel-declare", application.reference), {"has_interest": "no"})
    score_page = page(client.get(url("panel-score", application.reference)))
    assert TITLE in score_page
    assert (APPLICANT in score_page) is not hidden
    assert ("Hidden for scoring (a registered organisation)" in score_page) is hidden


# --- Setting up a panel --------------------------------------------------------------------


def test_panels_mine_lists_only_own_panels(client_as, member_user, panel, other_round_member):
    content = page(client_as(member_user).get(reverse("grants:panels-mine")))
    assert f"/panel/{SLUG}/" in content
    assert "/panel/another-round/" not in content
    assert "Durham County Council" in content


def test_panel_setup_page_staff_saves_members_with_their_organisations(
    client_as, staff_user, funding_round, chair_user, member_user
):
    response = client_as(staff_user).post(
        reverse("grants:panel-setup", args=[SLUG]),
        {
            "members": [chair_user.pk, member_user.pk],
            "chair": chair_user.pk,
            "assignment_mode": "all",
            "spread_threshold": "15",
        },
    )
    assert response.status_code == 302
    panel = funding_round.panel
    assert sorted((m.user.full_name, m.organisation.name) for m in panel.members.all()) == [
        ("Daniel Okafor", "Durham Constabulary"),
        ("Ruth Ellison", "Durham County Council"),
    ]
    assert (panel.chair, panel.spread_threshold) == (chair_user, Decimal("15.00"))


def test_panel_setup_page_lists_each_member_with_their_organisation(
    client_as, staff_user, funding_round, chair_user, member_user
):
    UserFactory(full_name="Sam Loner", email="sam@example.org", roles=[Role.PANEL_MEMBER])
    response = client_as(staff_user).get(reverse("grants:panel-setup", args=[SLUG]))
    form = response.context["form"]
    expected = [
        f"Daniel Okafor, Durham Constabulary ({chair_user.email})",
        f"Ruth Ellison, Durham County Council ({member_user.email})",
        "Sam Loner, no organisation (sam@example.org)",
    ]
    assert [label for _, label in form.fields["members"].choices] == expected
    assert [label for _, label in form.fields["chair"].choices][1:] == expected
    html = page(response)
    for label in expected:
        assert label in html, label


def test_panel_setup_page_member_without_organisation_refused(
    client_as, staff_user, funding_round, chair_user
):
    loner = UserFactory(full_name="Sam Loner", roles=[Role.PANEL_MEMBER])
    response = client_as(staff_user).post(
        reverse("grants:panel-setup", args=[SLUG]),
        {
            "members": [chair_user.pk, loner.pk],
            "chair": chair_user.pk,
            "assignment_mode": "all",
            "spread_threshold": "20",
        },
    )
    assert response.status_code == 200
    assert "Sam Loner belongs to no organisation" in page(response)
    assert not hasattr(type(funding_round).objects.get(pk=funding_round.pk), "panel")


def test_panel_setup_page_member_gets_403(client_as, member_user, funding_round):
    response = client_as(member_user).get(reverse("grants:panel-setup", args=[SLUG]))
    assert response.status_code == 403
