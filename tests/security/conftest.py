"""The world the hostile-input tests (test_hostile_*.py) post into, named with markup."""

import datetime
from decimal import Decimal

import pytest

from grants import services as grant_services
from grants.enums import Channel
from grants.models import Application, AssessmentCriterion, Award, AwardSplit
from partners.models import Organisation, User
from tests.decisions import conftest as decisions
from tests.factories import (
    ApplicationFactory,
    FundingRoundFactory,
    StrategicPriorityFactory,
    complete_application,
)
from tests.grants import conftest as grants
from tests.partners import conftest as partners

from .hostile import PAYLOADS

# The apps' fixtures, found by pytest under these names (as tests/decisions/conftest.py does):
# the round in assessment with its panel, decision records in each status, private storage.
applicant_org = grants.applicant_org
award_files = grants.award_files
application = grants.application
chair_user = grants.chair_user
criteria = grants.criteria
declare = grants.declare
funding_round = grants.funding_round
future_day = decisions.future_day
make_application = grants.make_application
make_panel = grants.make_panel
make_panellist = grants.make_panellist
make_record = decisions.make_record
make_round = grants.make_round
member = grants.member
member_user = grants.member_user
moderate = grants.moderate
panel = grants.panel
pending_organisation = partners.pending_organisation
recommended_round = decisions.recommended_round
record_in = decisions.record_in
requested_membership = partners.requested_membership
score = grants.score
second_staff = grants.second_staff
third_user = grants.third_user


# --- The world, named with markup -----------------------------------------------------------


@pytest.fixture
def provider(provider_user):
    """The provider and their verified unregistered group, both named with markup."""
    provider_user.full_name = f"Pat {PAYLOADS[0]}"
    provider_user.save()
    organisation = provider_user.memberships.get().organisation
    organisation.name = f"Seaham {PAYLOADS[1]}"
    organisation.save()
    return provider_user


@pytest.fixture
def provider_org(provider):
    return provider.memberships.get().organisation


@pytest.fixture
def open_round(db):
    """An open single-stage round (delivery April 2025 to March 2026) funding two priorities."""
    first = StrategicPriorityFactory(number=1, title=f"Young people {PAYLOADS[2]}")
    second = StrategicPriorityFactory(partnership=first.partnership, number=2, title="Night-time")
    return FundingRoundFactory(
        slug="open-round",
        reference_prefix="OPN",
        title=f"Open round {PAYLOADS[3]}",
        priorities=[first, second],
    )


@pytest.fixture
def award(staff_user, pcc_user, open_round, provider_org):
    """The provider's grant on the OPCC's stream, its £3,000 of labour money in 2024-25."""
    stream = grant_services.stream_save(
        by=staff_user, name=f"Stream {PAYLOADS[0]}", funder="Home Office"
    )
    application = ApplicationFactory(round=open_round, organisation=provider_org, title=PAYLOADS[1])
    award = Award.objects.create(
        reference="OPN-A-0001",
        application=application,
        round=open_round,
        organisation=provider_org,
        stream=stream,
        title=application.title,
        amount=Decimal("3000.00"),
        delivery_starts_on=datetime.date(2024, 4, 1),
        delivery_ends_on=datetime.date(2025, 3, 31),
        decision_reference="DN1-24",
        created_by=pcc_user,
    )
    AwardSplit.objects.create(
        award=award, financial_year="2024-25", cost_kind="labour", amount=Decimal("3000.00")
    )
    return award


@pytest.fixture
def draft(open_round, provider, provider_org):
    return ApplicationFactory(
        round=open_round,
        organisation=provider_org,
        created_by=provider,
        reference="OPN-0001",
        title=f"Street sport {PAYLOADS[4]}",
    )


@pytest.fixture
def logged_bid(open_round, provider_org, staff_user):
    """A bid staff logged from email, complete and ready to submit."""
    bid = ApplicationFactory(
        round=open_round,
        organisation=provider_org,
        created_by=staff_user,
        reference="OPN-0002",
        channel=Channel.EMAIL,
        title=f"Emailed bid {PAYLOADS[5]}",
    )
    return complete_application(bid)


@pytest.fixture
def marked_panel(funding_round, panel, application, criteria, chair_user, member_user, third_user):
    """The panels' round (in assessment) and panel, with markup in every name a member
    sees in a label or legend: criteria, the application and its applicant, the members."""
    for n, criterion in enumerate(criteria):
        AssessmentCriterion.objects.filter(pk=criterion.pk).update(
            title=f"{criterion.title} {PAYLOADS[n]}", guidance=f"Guidance {PAYLOADS[n + 2]}"
        )
    Application.objects.filter(pk=application.pk).update(title=f"Mentoring {PAYLOADS[3]}")
    Organisation.objects.filter(pk=application.organisation_id).update(
        name=f"Darlington {PAYLOADS[4]}"
    )
    for n, user in enumerate([chair_user, member_user, third_user]):
        User.objects.filter(pk=user.pk).update(full_name=f"{user.full_name} {PAYLOADS[n + 1]}")
    return panel
