"""Hostile posts to the scoring panels: setting one up, assigning applications, declaring
an interest, scoring, moderating, reopening a scorecard.
"""

from decimal import Decimal

from django.urls import reverse
from hypothesis import strategies as st

from grants.enums import AssignmentMode, Recommendation
from grants.models import (
    AssessmentCriterion,
    ConflictDeclaration,
    Moderation,
    Panel,
    Score,
    Scorecard,
    ScorecardReopening,
)
from partners.enums import Role
from partners.models import User
from tests.factories import ApplicationFactory, UserFactory

from .hostile import (
    PAYLOADS,
    as_decimal,
    check_form,
    form_data,
    hostile,
    hostile_amount,
    hostile_bool,
    hostile_choice,
    hostile_choices,
    last,
    page_shows,
    stripped,
    valid_amount,
    valid_text,
)


@hostile(20)
def test_panel_setup(db, data, staff_user, make_round, chair_user, member_user, third_user):
    funding = make_round(slug="panel-setup")
    provider = UserFactory(full_name="Not a panellist", roles=[Role.PROVIDER])
    people = [chair_user.pk, member_user.pk, third_user.pk]
    for n, pk in enumerate(people):
        User.objects.filter(pk=pk).update(full_name=f"Member {n} {PAYLOADS[n]}")
    posted = data.draw(
        form_data(
            valid={
                "members": st.lists(st.sampled_from(people), unique=True).map(
                    lambda pks: sorted({*pks, chair_user.pk})
                ),
                "chair": chair_user.pk,
                "assignment_mode": st.sampled_from(AssignmentMode.values),
                "hide_applicant_identity": st.sampled_from(["", "on"]),
                "spread_threshold": st.decimals(0, 100, places=2).map(str),
            },
            hostile={
                "members": hostile_choices(*people, provider.pk),
                "chair": hostile_choice(*people, provider.pk),
                "assignment_mode": hostile_choice(*AssignmentMode.values),
                "spread_threshold": hostile_amount(),
            },
        )
    )

    def saved(response, client):
        panel = Panel.objects.get(round=funding)
        assert panel.chair_id == int(last(posted, "chair"))
        assert {m.user_id for m in panel.members.all()} == {int(pk) for pk in posted["members"]}
        assert panel.spread_threshold == Decimal(last(posted, "spread_threshold"))
        names = User.objects.filter(pk__in=people).values_list("full_name", flat=True)
        page_shows(client, response["Location"], *names)

    url = reverse("grants:panel-setup", args=[funding.slug])
    check_form(data, url, posted, staff_user, accepted=saved)


@hostile(15)
def test_panel_assign(db, data, staff_user, marked_panel, member, application, make_application):
    second = make_application(f"Second {PAYLOADS[5]}")
    elsewhere = ApplicationFactory(title="Another round's")
    pks = [application.pk, second.pk]
    posted = data.draw(
        form_data(
            valid={"applications": st.lists(st.sampled_from(pks), unique=True)},
            hostile={"applications": hostile_choices(*pks, elsewhere.pk)},
        )
    )

    def assigned(response, client):
        chosen = {int(pk) for pk in posted.get("applications", [])}
        assert set(member.assignments.values_list("application_id", flat=True)) == chosen

    url = reverse("grants:panel-assign", args=[marked_panel.round.slug, member.pk])
    check_form(data, url, posted, staff_user, accepted=assigned)


@hostile(20)
def test_conflict_declaration(db, data, member_user, member, marked_panel, application):
    posted = data.draw(
        form_data(
            valid={
                "has_interest": st.sampled_from(["no", "yes"]),
                "interest": valid_text(2000),
                "is_conflict": st.sampled_from(["", "on"]),
            },
            hostile={"has_interest": hostile_choice("yes", "no"), "is_conflict": hostile_bool()},
        )
    )

    def declared(response, client):
        declaration = ConflictDeclaration.objects.get(member=member, application=application)
        interest = stripped(posted, "interest") if last(posted, "has_interest") == "yes" else ""
        assert declaration.interest == interest

    url = reverse("grants:panel-declare", args=[marked_panel.round.slug, application.reference])
    check_form(data, url, posted, member_user, accepted=declared)


@hostile(25)
def test_scorecard(db, data, member_user, member, marked_panel, application, criteria, declare):
    declare(member, application)
    valid, bad = {}, {}
    for criterion in criteria:
        valid[f"score_{criterion.pk}"] = st.sampled_from(["", *map(str, range(6))])
        valid[f"comment_{criterion.pk}"] = valid_text(5000, min_size=0)
        bad[f"score_{criterion.pk}"] = hostile_choice(*range(6), 6, -1)
    valid["save_draft"] = st.sampled_from(["", "Save as draft"])
    bad[f"score_{criteria[-1].pk + 1000}"] = hostile_choice(1)
    posted = data.draw(form_data(valid=valid, hostile=bad))

    def scored(response, client):
        scorecard = Scorecard.objects.get(member=member, application=application)
        for criterion in criteria:
            comment = Score.objects.get(scorecard=scorecard, criterion=criterion).comment
            assert comment == stripped(posted, f"comment_{criterion.pk}")
        # The criteria's titles are the scorecard's legends: crispy-forms-gds does not escape them.
        titles = AssessmentCriterion.objects.filter(round=marked_panel.round).values_list(
            "title", flat=True
        )
        page_shows(client, response["Location"], *titles)

    url = reverse("grants:panel-score", args=[marked_panel.round.slug, application.reference])
    check_form(data, url, posted, member_user, accepted=scored)


@hostile(25)
def test_moderation(db, data, chair_user, member, marked_panel, application, criteria, score):
    # One member's scorecard submitted (without one only "do not fund" can be recorded),
    # the others' outstanding: the chair confirms recording the outcome all the same.
    score(member, application, [4, 3])
    valid = {f"score_{c.pk}": st.sampled_from(list(map(str, range(6)))) for c in criteria}
    bad = {f"score_{c.pk}": hostile_choice(*range(6), 6) for c in criteria}
    valid.update(
        rationale=valid_text(3000),
        recommendation=st.sampled_from(Recommendation.values),
        conditions=valid_text(2000),
        recommended_amount=valid_amount(1, 6000),
        confirm_outstanding="on",
    )
    bad.update(
        recommendation=hostile_choice(*Recommendation.values),
        recommended_amount=hostile_amount(),
        confirm_outstanding=hostile_bool(),
    )
    posted = data.draw(form_data(valid=valid, hostile=bad))

    def moderated(response, client):
        # The criteria's titles are the consensus scores' labels: not escaped by crispy-forms-gds.
        titles = AssessmentCriterion.objects.filter(round=marked_panel.round).values_list(
            "title", flat=True
        )
        page_shows(client, response.request["PATH_INFO"], *titles)
        moderation = Moderation.objects.get(application=application)
        assert moderation.rationale == stripped(posted, "rationale")
        if last(posted, "recommendation") == Recommendation.DO_NOT_FUND:
            assert moderation.recommended_amount == 0
        else:
            assert moderation.recommended_amount == as_decimal(last(posted, "recommended_amount"))

    url = reverse("grants:panel-moderate", args=[marked_panel.round.slug, application.reference])
    check_form(data, url, posted, chair_user, watch=[application], accepted=moderated)


@hostile(15)
def test_scorecard_reopen(db, data, chair_user, member, marked_panel, application, score):
    scorecard = score(member, application, [4, 3], comments=[PAYLOADS[0], PAYLOADS[1]])
    posted = data.draw(form_data(valid={"reason": valid_text(2000)}))

    def reopened(response, client):
        scorecard.refresh_from_db()
        assert scorecard.status == "draft"
        assert ScorecardReopening.objects.get(scorecard=scorecard).reason == stripped(
            posted, "reason"
        )

    url = reverse("grants:panel-scorecard-reopen", args=[marked_panel.round.slug, scorecard.pk])
    check_form(data, url, posted, chair_user, watch=[scorecard], accepted=reopened)
