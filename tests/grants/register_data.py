"""The grants register's data for its tests: two partnership areas, and three awards on the
register beside one whose decision is not yet published and one only offered. Found by
pytest through tests/grants/conftest.py."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from grants.enums import AwardStatus, LedgerKind
from grants.models import Award, AwardStatusChange, LedgerEntry, MonitoringReturn, Payment
from partners.enums import GeoCodeType
from partners.models import Area
from tests.factories import OrganisationFactory

from .awarding import make_award

LONDON = timezone.get_default_timezone()


@pytest.fixture
def areas(priorities):
    partnership = priorities[0].partnership
    return [
        Area.objects.create(
            partnership=partnership,
            name="County Durham",
            geo_code="E06000047",
            geo_code_type=GeoCodeType.UNITARY_AUTHORITY,
        ),
        Area.objects.create(partnership=partnership, name="Darlington"),
    ]


def on_register(award: Award, *, status=AwardStatus.ACTIVE, accepted_on=datetime.date(2024, 5, 2)):
    Award.objects.filter(pk=award.pk).update(
        status=status, decision_published_on=datetime.date(2024, 3, 20)
    )
    AwardStatusChange.objects.create(
        award=award,
        from_status=AwardStatus.OFFERED,
        to_status=AwardStatus.ACCEPTED,
        changed_at=datetime.datetime.combine(accepted_on, datetime.time(11), tzinfo=LONDON),
    )
    return Award.objects.get(pk=award.pk)


def more_grants(*, funding_round, organisation, created_by, numbers, areas=(), made=None):
    """More awards on the register, OPN-A-<n> for each n of numbers, in `areas` (and made
    at `made(n)` when given)."""
    for n in numbers:
        award = make_award(
            funding_round=funding_round,
            organisation=organisation,
            created_by=created_by,
            reference=f"OPN-A-{n:04}",
        )
        if made is not None:
            Award.objects.filter(pk=award.pk).update(created_at=made(n))
        award.areas.set(areas)
        on_register(award)


@pytest.fixture
def grants(funding_round, provider_org, pcc_user, areas, priorities):
    """Three awards on the register (to a community group, a charity and a company), one
    accepted whose decision is not yet published, and one only offered."""
    made = datetime.datetime(2024, 3, 18, 15, 0, tzinfo=LONDON)
    group = make_award(
        funding_round=funding_round,
        organisation=provider_org,
        created_by=pcc_user,
        title="Street sport",
    )
    charity = make_award(
        funding_round=funding_round,
        organisation=OrganisationFactory(name="Darlington Mentoring Trust", charity=True),
        created_by=pcc_user,
        reference="OPN-A-0002",
        amount=Decimal("8000.50"),
        title="Mentoring",
    )
    company = make_award(
        funding_round=funding_round,
        organisation=OrganisationFactory(name="Safer Nights CIC", company=True),
        created_by=pcc_user,
        reference="OPN-A-0003",
        title="Night-time safety",
    )
    unpublished = make_award(
        funding_round=funding_round,
        organisation=OrganisationFactory(name="Quiet Decision Ltd", company=True),
        created_by=pcc_user,
        reference="OPN-A-0004",
    )
    offered = make_award(
        funding_round=funding_round,
        organisation=OrganisationFactory(name="Not Yet Accepted", charity=True),
        created_by=pcc_user,
        reference="OPN-A-0005",
    )
    Award.objects.update(created_at=made, rationale="Fewer young people carry knives.")
    Award.objects.filter(pk=company.pk).update(
        created_at=datetime.datetime(2024, 4, 2, 10, 0, tzinfo=LONDON)
    )
    for award in (group, charity, company):
        on_register(award)
    Award.objects.filter(pk=unpublished.pk).update(status=AwardStatus.ACTIVE)
    Award.objects.filter(pk=offered.pk).update(
        status=AwardStatus.OFFERED, decision_published_on=datetime.date(2024, 3, 20)
    )
    group.areas.set([areas[0]])
    charity.areas.set(areas)
    charity.application.priorities.set([priorities[1]])
    group.application.priorities.set([priorities[0]])
    first = MonitoringReturn.objects.create(
        award=group,
        number=1,
        kind="progress",
        period_starts_on=datetime.date(2024, 4, 1),
        period_ends_on=datetime.date(2024, 6, 30),
        due_on=datetime.date(2024, 7, 14),
        status="accepted",
    )
    payment = Payment.objects.create(
        award=group,
        number=1,
        amount=Decimal("750.00"),
        after_return=first,
        status="paid",
        paid_on=datetime.date(2024, 7, 21),
    )
    LedgerEntry.objects.create(
        award=group,
        payment=payment,
        kind=LedgerKind.PAYMENT,
        amount=Decimal("750.00"),
        labour=Decimal("750.00"),
        non_labour=Decimal("0.00"),
        financial_year="2024-25",
        entry_date=datetime.date(2024, 7, 21),
        created_by=pcc_user,
    )
    return {a.reference: Award.objects.get(pk=a.pk) for a in (group, charity, company)}
