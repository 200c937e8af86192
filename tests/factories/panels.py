"""Factories for scoring panels: panels, members, declarations, scorecards, moderation."""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from grants.enums import ApplicationStatus, Recommendation, RoundStatus, ScorecardStatus
from grants.models import ConflictDeclaration, Moderation, Panel, PanelMember, Score, Scorecard
from grants.scoring import weighted_total
from partners.enums import MembershipStatus, OrganisationKind, Role
from partners.models import Membership

from .grants import ApplicationFactory, FundingRoundFactory
from .partners import OrganisationFactory, UserFactory


class AssessmentRoundFactory(FundingRoundFactory):
    """A round that closed 30 days ago and is in assessment (criteria weighted 60 and 40)."""

    opens_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=60))
    closes_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=30))
    status = RoundStatus.ASSESSMENT


class AssessedApplicationFactory(ApplicationFactory):
    """An application submitted to a round in assessment, asking for £6,000."""

    round = factory.SubFactory(AssessmentRoundFactory)
    status = ApplicationStatus.UNDER_ASSESSMENT
    summary = "Weekly sessions for young people at risk."
    amount_requested = Decimal("6000.00")
    submitted_at = factory.LazyAttribute(lambda o: o.round.closes_at - datetime.timedelta(days=1))


class PanelFactory(factory.django.DjangoModelFactory):
    """A round's panel, chaired by a Panel member. The chair is not a member until a
    PanelMemberFactory(panel=panel, user=panel.chair) makes them one."""

    class Meta:
        model = Panel

    round = factory.SubFactory(AssessmentRoundFactory)
    chair = factory.SubFactory(UserFactory, roles=[Role.PANEL_MEMBER])


class PanelMemberFactory(factory.django.DjangoModelFactory):
    """A Panel member representing a police partner they belong to (an active membership)."""

    class Meta:
        model = PanelMember
        skip_postgeneration_save = True

    panel = factory.SubFactory(PanelFactory)
    user = factory.SubFactory(UserFactory, roles=[Role.PANEL_MEMBER])
    organisation = factory.SubFactory(OrganisationFactory, kind=OrganisationKind.POLICE)

    @factory.post_generation
    def membership(self, create, extracted, **kwargs):
        if create:
            Membership.objects.get_or_create(
                user=self.user,
                organisation=self.organisation,
                defaults={"status": MembershipStatus.ACTIVE},
            )


class ConflictDeclarationFactory(factory.django.DjangoModelFactory):
    """A member's declaration of no interest in an application of the panel's round;
    `declared_interest` declares one that is not a conflict, `conflict` one that is."""

    class Meta:
        model = ConflictDeclaration

    member = factory.SubFactory(PanelMemberFactory)
    application = factory.SubFactory(
        AssessedApplicationFactory, round=factory.SelfAttribute("..member.panel.round")
    )

    class Params:
        declared_interest = factory.Trait(
            has_interest=True, interest="A trustee of the applicant is a former colleague"
        )
        conflict = factory.Trait(
            has_interest=True, interest="Board member of the applicant", is_conflict=True
        )


def _marks(scorecard_stub) -> dict[str, int]:
    criteria = scorecard_stub.application.round.criteria.order_by("number")
    return {
        str(criterion.pk): score
        for criterion, score in zip(criteria, scorecard_stub.scores, strict=True)
    }


def _total(scorecard_stub) -> Decimal:
    criteria = scorecard_stub.application.round.criteria.order_by("number")
    return weighted_total(
        (criterion.weight, score, criterion.scale_max)
        for criterion, score in zip(criteria, scorecard_stub.scores, strict=True)
    )


class ScorecardFactory(factory.django.DjangoModelFactory):
    """A member's scorecard on an application of the panel's round.

    `scores=[4, 3]` gives the criteria's scores in number order, as Score rows and as
    `marks` ({criterion id: score}, as scorecard_save writes them); without it the draft
    is blank. The `submitted` trait submits it, a score of 4 on each criterion unless
    `scores` says otherwise, with its weighted total.
    """

    class Meta:
        model = Scorecard
        skip_postgeneration_save = True

    member = factory.SubFactory(PanelMemberFactory)
    application = factory.SubFactory(
        AssessedApplicationFactory, round=factory.SelfAttribute("..member.panel.round")
    )
    status = ScorecardStatus.DRAFT
    marks = factory.LazyAttribute(lambda o: _marks(o) if o.scores is not None else {})

    class Params:
        scores = None
        submitted = factory.Trait(
            status=ScorecardStatus.SUBMITTED,
            submitted_at=factory.LazyFunction(timezone.now),
            scores=factory.LazyAttribute(lambda o: [4] * o.application.round.criteria.count()),
            total=factory.LazyAttribute(_total),
        )

    @factory.post_generation
    def score_rows(self, create, extracted, **kwargs):
        if not create:
            return
        criteria = {str(c.pk): c for c in self.application.round.criteria.all()}
        Score.objects.bulk_create(
            Score(scorecard=self, criterion=criteria[pk], score=score)
            for pk, score in self.marks.items()
        )


class ModerationFactory(factory.django.DjangoModelFactory):
    """The chair's moderation of an application: fund £4,800 at 76%; `do_not_fund` at £0.
    It records the panel's consensus only: the application's status is left as it is."""

    class Meta:
        model = Moderation

    application = factory.SubFactory(AssessedApplicationFactory)
    rationale = "Strong referral routes from the youth justice service."
    recommendation = Recommendation.FUND
    recommended_amount = Decimal("4800.00")
    total = Decimal("76.00")
    moderated_by = factory.SubFactory(UserFactory, roles=[Role.PANEL_MEMBER])

    class Params:
        do_not_fund = factory.Trait(
            recommendation=Recommendation.DO_NOT_FUND,
            recommended_amount=Decimal("0.00"),
            total=Decimal("30.00"),
            rationale="No evidence that the approach reduces violence.",
        )
