import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from grants.enums import ApplicationStatus, CapCategory, RoundStatus, Toolkit
from grants.models import (
    Application,
    AssessmentCriterion,
    AwardCap,
    BudgetLine,
    EvidenceStrand,
    FundingRound,
)
from partners.models import SuccessMeasure

from .partners import OrganisationFactory, UserFactory

DEFAULT_CAPS = [
    {"category": CapCategory.UNREGISTERED, "minimum": Decimal("0"), "maximum": Decimal("5000")},
    {"category": CapCategory.REGISTERED, "minimum": Decimal("0"), "maximum": Decimal("40000")},
]


class FundingRoundFactory(factory.django.DjangoModelFactory):
    """A single-stage round open now, for 30 more days, with the source-003 caps.

    FundingRoundFactory(caps=[...]) replaces the caps, caps=[] gives none;
    priorities=[...] links the priorities the round funds.
    """

    class Meta:
        model = FundingRound
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"round-{n}")
    fund_name = "Violence Prevention Fund"
    title = factory.Sequence(lambda n: f"Grants round {n}")
    reference_prefix = factory.Sequence(lambda n: f"RND{n}")
    description = "Grants for projects against the partnership's priorities."
    eligibility = "Verified voluntary and community organisations."
    how_to_apply = "Apply through the portal before the closing date."
    budget = Decimal("700000.00")
    opens_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=1))
    closes_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=30))
    delivery_starts_on = datetime.date(2025, 4, 1)
    delivery_ends_on = datetime.date(2026, 3, 31)
    status = RoundStatus.OPEN

    @factory.post_generation
    def caps(self, create, extracted, **kwargs):
        if not create:
            return
        caps = DEFAULT_CAPS if extracted is None else extracted
        AwardCap.objects.bulk_create(AwardCap(round=self, **cap) for cap in caps)

    @factory.post_generation
    def criteria(self, create, extracted, **kwargs):
        if not create:
            return
        AssessmentCriterion.objects.bulk_create(
            [
                AssessmentCriterion(
                    round=self,
                    number=1,
                    title="Evidence-based practice",
                    guidance="5: follows a toolkit strand closely",
                    weight=Decimal("60"),
                ),
                AssessmentCriterion(
                    round=self,
                    number=2,
                    title="Multi-agency delivery",
                    guidance="5: named partners with defined roles",
                    weight=Decimal("40"),
                ),
            ]
        )

    @factory.post_generation
    def priorities(self, create, extracted, **kwargs):
        if create and extracted:
            self.priorities.set(extracted)


class ApplicationFactory(factory.django.DjangoModelFactory):
    """A portal draft at the round's first stage; ApplicationFactory(priorities=[...]) links them."""

    class Meta:
        model = Application
        skip_postgeneration_save = True

    round = factory.SubFactory(FundingRoundFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    stage = factory.LazyAttribute(lambda o: o.round.first_stage)
    reference = factory.Sequence(lambda n: f"APP-{n:04d}")
    status = ApplicationStatus.DRAFT
    title = factory.Sequence(lambda n: f"Youth project {n}")
    created_by = factory.SubFactory(UserFactory)

    @factory.post_generation
    def priorities(self, create, extracted, **kwargs):
        if create and extracted:
            self.priorities.set(extracted)


class BudgetLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BudgetLine

    application = factory.SubFactory(ApplicationFactory)
    item = factory.Sequence(lambda n: f"Youth worker, block {n}")
    financial_year = "2025-26"
    amount = Decimal("1000.00")


class EvidenceStrandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EvidenceStrand

    toolkit = Toolkit.YEF
    name = factory.Sequence(lambda n: f"Strand {n}")


class SuccessMeasureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SuccessMeasure

    code = factory.Sequence(lambda n: f"measure-{n}")
    title = factory.Sequence(lambda n: f"Success measure {n}")


def complete_application(application: Application, *, amount=Decimal("4500.00")) -> Application:
    """Fills every section of grants.sections.SECTIONS as its is_complete asks, so it can be submitted.

    The budget is one line of `amount`, the amount requested; the first priority the round
    funds is chosen (a new one is linked to the round if it funds none).
    """
    from .partners import StrategicPriorityFactory

    application.summary = "Weekly sessions for young people at risk."
    application.description = "Two youth workers run sessions every Friday night."
    application.amount_requested = amount
    application.evidence_other = "Our own evaluation of 2023"
    application.evidence_description = "Attendance doubled and referrals rose."
    application.target_cohort = "Young people aged 10 to 17."
    application.delivery_area = "Seaham seafront."
    application.partners_involved = "Youth justice service and schools."
    application.outcomes = "Fewer young people drawn into violence."
    application.declare_accurate = True
    application.declare_safeguarding = True
    application.declare_data_protection = True
    application.save()
    priority = application.round.priorities.order_by("number").first()
    if priority is None:
        priority = StrategicPriorityFactory()
        application.round.priorities.add(priority)
    application.priorities.set([priority])
    application.success_measures.set([SuccessMeasureFactory()])
    application.budget_lines.all().delete()
    BudgetLineFactory(application=application, amount=amount)
    return Application.objects.get(pk=application.pk)
