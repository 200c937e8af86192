"""Fixtures for grants: a round open for applications with a provider's draft (made with
the factories), and for the scoring panels a round in assessment, a panel of three partners,
applications to score, and small helpers that go through the grants services.

The panels' data is built with the ORM and the services rather than with
tests/factories/grants.py, so those tests do not move when the factories do.
"""

import datetime
import itertools
import uuid
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from grants import services
from grants.enums import (
    ApplicationStatus,
    CapCategory,
    Recommendation,
    RoundStatus,
    ScorecardStatus,
)
from grants.models import Application, ConflictDeclaration, PanelMember, Scorecard
from partners.enums import OrganisationKind, Role
from svd_portal import celery_app
from tests.factories import (
    ApplicationFactory,
    FundingRoundFactory,
    MembershipFactory,
    OrganisationFactory,
    StrategicPriorityFactory,
    UserFactory,
    member_of_new_organisation,
)
from tests.grants import awarding, register_data


@pytest.fixture
def priorities(db):
    """Two of the partnership's priorities, numbered 1 and 2."""
    first = StrategicPriorityFactory(number=1, title="Young people at risk")
    second = StrategicPriorityFactory(
        partnership=first.partnership, number=2, title="The night-time economy"
    )
    return [first, second]


@pytest.fixture
def open_round(priorities):
    return FundingRoundFactory(
        slug="violence-prevention-fund", reference_prefix="VPF", priorities=priorities
    )


@pytest.fixture
def provider_org(provider_user):
    """Seaham Street Sport: verified, unregistered (the £5,000 cap)."""
    return provider_user.memberships.get().organisation


@pytest.fixture
def draft(open_round, provider_org, provider_user):
    return ApplicationFactory(
        round=open_round,
        organisation=provider_org,
        created_by=provider_user,
        reference="VPF-0001",
        title="Street sport on the seafront",
    )


@pytest.fixture
def other_user(db):
    """A provider in another verified organisation: must never see the first one's work."""
    return member_of_new_organisation(
        "Bishop Auckland Boxing", email="other@example.org", roles=[Role.PROVIDER]
    )


@pytest.fixture
def panel_user(db):
    """A panel member from a partner organisation: scores applications, runs nothing."""
    user = UserFactory(email="panel@example.org", roles=[Role.PANEL_MEMBER])
    MembershipFactory(
        user=user,
        organisation=OrganisationFactory(name="Durham Constabulary", kind=OrganisationKind.POLICE),
    )
    return user


@pytest.fixture
def other_client(other_user):
    client = Client()
    client.force_login(other_user)
    return client


@pytest.fixture
def second_staff_client(staff_user):
    """Staff in a client of their own, for tests that also use the provider's `client`."""
    client = Client()
    client.force_login(staff_user)
    return client


@pytest.fixture
def roles(transactional_db):
    """The role groups the migrations create: an earlier committing test may have flushed them."""
    for role in Role:
        Group.objects.get_or_create(name=role)


@pytest.fixture
def task_queue():
    """Routes grants tasks to a queue of this test's own on the real Redis, so that no other
    worker takes them and a test's worker takes no one else's; the queue is deleted after."""
    name = f"grants-test-{uuid.uuid4().hex}"
    routes = celery_app.conf.task_routes
    celery_app.conf.update(task_routes={"grants.*": {"queue": name}})
    yield name
    celery_app.conf.update(task_routes=routes)
    # A worker started with queues=[name] narrows the app's queues for good: forget them,
    # so that the next worker in this process consumes from the default queue again.
    celery_app.amqp.__dict__.pop("queues", None)
    with celery_app.connection_for_write() as connection:
        connection.default_channel.queue_delete(name)


# --- Scoring panels ------------------------------------------------------------------------

CRITERIA = [
    {
        "number": 1,
        "title": "Need and the local evidence",
        "guidance": "5: the need is shown with local data",
        "weight": Decimal("60"),
        "scale_max": 5,
    },
    {
        "number": 2,
        "title": "Multi-agency delivery",
        "guidance": "5: named partners with defined roles",
        "weight": Decimal("40"),
        "scale_max": 5,
    },
]
# A cap may not be more than the budget, so the registered cap is the £10,000 budget itself.
CAPS = [
    {"category": CapCategory.UNREGISTERED, "minimum": Decimal("0"), "maximum": Decimal("5000")},
    {"category": CapCategory.REGISTERED, "minimum": Decimal("0"), "maximum": Decimal("10000")},
]
BUDGET = Decimal("10000")


@pytest.fixture
def make_round(staff_user):
    """make_round(slug=…, budget=…, criteria=…): a round taken through its workflow to assessment."""
    numbers = itertools.count(1)

    def make(*, slug="youth-violence-2025", budget=BUDGET, criteria=CRITERIA, caps=CAPS):
        now = timezone.now()
        funding_round = services.round_save(
            funding_round=None,
            by=staff_user,
            fields={
                "slug": slug,
                "fund_name": "Violence Prevention Fund",
                "title": f"Grants round {slug}",
                "reference_prefix": f"YV{next(numbers)}",
                "description": "Grants against serious violence.",
                "eligibility": "Verified voluntary and community organisations.",
                "how_to_apply": "Apply on this page.",
                "budget": budget,
                "opens_at": now - datetime.timedelta(days=60),
                "closes_at": now - datetime.timedelta(days=30),
                "delivery_starts_on": now.date(),
                "delivery_ends_on": now.date() + datetime.timedelta(days=365),
            },
            priorities=[],
            caps=caps,
            criteria=criteria,
        )
        for to_status in (RoundStatus.OPEN, RoundStatus.CLOSED, RoundStatus.ASSESSMENT):
            services.round_move(funding_round=funding_round, to_status=to_status, by=staff_user)
        funding_round.refresh_from_db()
        return funding_round

    return make


@pytest.fixture
def funding_round(make_round):
    """Budget £10,000; criteria weighted 60 and 40, each scored 0 to 5."""
    return make_round()


@pytest.fixture
def criteria(funding_round):
    return list(funding_round.criteria.order_by("number"))


@pytest.fixture
def make_panellist(db):
    """make_panellist(name, organisation name, kind): a Panel member in an active membership."""

    def make(full_name, organisation_name, kind=OrganisationKind.POLICE):
        user = UserFactory(full_name=full_name, roles=[Role.PANEL_MEMBER])
        organisation = OrganisationFactory(name=organisation_name, kind=kind)
        MembershipFactory(user=user, organisation=organisation)
        return user

    return make


@pytest.fixture
def chair_user(make_panellist):
    return make_panellist("Daniel Okafor", "Durham Constabulary", OrganisationKind.POLICE)


@pytest.fixture
def member_user(make_panellist):
    return make_panellist("Ruth Ellison", "Durham County Council", OrganisationKind.LOCAL_AUTHORITY)


@pytest.fixture
def third_user(make_panellist):
    return make_panellist(
        "Amira Haddad", "County Durham Public Health", OrganisationKind.LOCAL_AUTHORITY
    )


def organisation_of(user):
    return user.memberships.get().organisation


@pytest.fixture
def make_panel(staff_user):
    """make_panel(round, chair, [users], **settings): the panel through panel_save."""

    def make(funding_round, chair, users, **settings):
        return services.panel_save(
            funding_round=funding_round,
            by=staff_user,
            chair=chair,
            members=[(user, organisation_of(user)) for user in users],
            **settings,
        )

    return make


@pytest.fixture
def panel(request, make_panel, funding_round, chair_user, member_user, third_user):
    """Daniel Okafor (police) chairs; Ruth Ellison (council) and Amira Haddad (public health).
    A module's DEPUTY_CHAIR names the fixture of the deputy chair; there is none otherwise."""
    deputy = getattr(request.module, "DEPUTY_CHAIR", None)
    return make_panel(
        funding_round,
        chair_user,
        [chair_user, member_user, third_user],
        deputy_chair=request.getfixturevalue(deputy) if deputy else None,
    )


@pytest.fixture
def chair(panel, chair_user):
    return PanelMember.objects.get(panel=panel, user=chair_user)


@pytest.fixture
def member(panel, member_user):
    return PanelMember.objects.get(panel=panel, user=member_user)


@pytest.fixture
def third(panel, third_user):
    return PanelMember.objects.get(panel=panel, user=third_user)


@pytest.fixture
def applicant_org(db):
    """A registered charity: the £10,000 cap applies."""
    return OrganisationFactory(name="Darlington Youth Mentoring Trust", charity=True)


@pytest.fixture
def make_application(funding_round, applicant_org, staff_user):
    """make_application(title, amount=…, organisation=…, round=…): one under assessment."""
    numbers = itertools.count(1)

    def make(
        title="Mentoring for young people at risk",
        *,
        amount=Decimal("6000"),
        organisation=None,
        round=None,
        status=ApplicationStatus.UNDER_ASSESSMENT,
    ):
        round = round or funding_round
        return Application.objects.create(
            round=round,
            organisation=organisation or applicant_org,
            reference=f"{round.reference_prefix}-{next(numbers):04d}",
            title=title,
            summary="Weekly sessions for young people at risk.",
            amount_requested=amount,
            status=status,
            submitted_at=timezone.now(),
            created_by=staff_user,
        )

    return make


@pytest.fixture
def application(make_application):
    """YV1-0001, asking for £6,000."""
    return make_application()


@pytest.fixture
def second_application(make_application):
    """YV1-0002, asking for £6,000."""
    return make_application("Healthy relationships in schools")


@pytest.fixture
def declare():
    """declare(member, application, conflict=False): a declaration through declaration_make."""

    def make(member, application, *, conflict=False, interest=""):
        if conflict and not interest:
            interest = "Board member of the applicant"
        return services.declaration_make(
            member=member,
            application=application,
            has_interest=bool(interest),
            interest=interest,
            is_conflict=conflict,
        )

    return make


@pytest.fixture
def score(declare, funding_round):
    """score(member, application, [4, 3], comments=[…], submit=True): a scorecard through
    scorecard_save, after a declaration of no interest if the member has not declared."""

    def make(member, application, scores, *, comments=None, submit=True):
        if not ConflictDeclaration.objects.filter(member=member, application=application).exists():
            declare(member, application)
        criteria = list(application.round.criteria.order_by("number"))
        comments = comments or [""] * len(criteria)
        return services.scorecard_save(
            member=member,
            application=application,
            marks={c.pk: (s, text) for c, s, text in zip(criteria, scores, comments, strict=True)},
            submit=submit,
        )

    return make


@pytest.fixture
def moderate(chair_user, score):
    """moderate(application, amount, recommendation="fund", scores=[4, 3]) by the chair.

    An application is recommended for funding only on a submitted scorecard: when it has
    none, the first member free to score it submits one of 3s first (`scored=False`
    leaves it without).
    """

    def make(
        application,
        amount,
        *,
        recommendation=Recommendation.FUND,
        scores=(4, 3),
        by=None,
        rationale="Strong referral routes from the youth justice service.",
        conditions="",
        scored=True,
    ):
        criteria = list(application.round.criteria.order_by("number"))
        if (
            scored
            and recommendation != Recommendation.DO_NOT_FUND
            and not Scorecard.objects.filter(
                application=application, status=ScorecardStatus.SUBMITTED
            ).exists()
        ):
            scorer = (
                application.round.panel.members.exclude(
                    declarations__application=application, declarations__is_conflict=True
                )
                .exclude(scorecards__application=application)
                .exclude(organisation=application.organisation)
                .order_by("pk")
                .first()
            )
            score(scorer, application, [3] * len(criteria))
        return services.moderation_record(
            application=application,
            by=by or chair_user,
            scores={c.pk: s for c, s in zip(criteria, scores, strict=True)},
            rationale=rationale,
            recommendation=recommendation,
            conditions=conditions,
            recommended_amount=amount,
        )

    return make


# --- Awards before and at the offer (tests/grants/awarding.py has the steps) ------------------


@pytest.fixture
def award_files(tmp_path, monkeypatch):
    return awarding.private_award_files(tmp_path, monkeypatch)


@pytest.fixture
def treasurer(provider_org):
    """A member of the provider's organisation who is not its signatory."""
    return MembershipFactory(
        organisation=provider_org, user=UserFactory(email="treasurer@example.org")
    ).user


@pytest.fixture
def stranger(role_groups):
    """A provider in another organisation."""
    return member_of_new_organisation(
        "Elsewhere Youth", email="stranger@example.org", roles=[Role.PROVIDER]
    )


@pytest.fixture
def second_staff(role_groups):
    return UserFactory(email="staff2@example.org", full_name="Priya Shah", roles=[Role.OPCC_STAFF])


@pytest.fixture
def award(funding_round, provider_org, pcc_user, award_files):
    """OPN-A-0001: £3,000 to the provider's organisation, delivery from 1 April 2024."""
    return awarding.make_award(
        funding_round=funding_round, organisation=provider_org, created_by=pcc_user
    )


@pytest.fixture
def agreement_template(staff_user):
    return awarding.make_template(staff_user)


@pytest.fixture
def ready(award, provider_user, staff_user):
    """The award with its due diligence done; the provider its organisation's signatory."""
    return awarding.ready_to_offer(
        award, entered_by=provider_user, staff=staff_user, signatory=provider_user
    )


@pytest.fixture
def offered(ready, staff_user, agreement_template):
    """The award offered, its offer's PDF ready."""
    return awarding.offer_ready(ready, staff_user, agreement_template)


# --- The grants register (tests/grants/register_data.py) -------------------------------------
areas = register_data.areas
register_grants = register_data.grants
