"""The workflow kernel: declaring a workflow, and what one move does and refuses."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from grants.enums import ApplicationStatus, RoundStatus
from grants.models import Application, ApplicationStatusChange, FundingRound, RoundStatusChange
from grants.services.application_workflow import APPLICATION
from grants.services.rounds import ROUND
from partners.enums import MembershipStatus, Role, VerificationStatus
from partners.models import Membership, Organisation, OrganisationStatusChange
from partners.services import MEMBERSHIP, membership_decide, organisation_set_verification
from svd_portal.workflow import Workflow, move
from tests.factories import (
    ApplicationFactory,
    FundingRoundFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)
from tests.on_commit import queued_work

pytestmark = pytest.mark.django_db


def test_a_map_naming_a_status_the_model_has_not_is_refused_when_declared():
    with pytest.raises(ValueError) as exc:
        Workflow(Membership, {**MEMBERSHIP.moves, "lapsed": set()}, noun="A request to join")

    assert str(exc.value) == ("Membership's moves name unknown statuses ['lapsed'] or leave out []")


def test_a_map_leaving_out_a_status_is_refused_when_declared():
    moves = {MembershipStatus.REQUESTED: {MembershipStatus.ACTIVE}, MembershipStatus.ACTIVE: set()}

    with pytest.raises(ValueError) as exc:
        Workflow(Membership, moves, noun="A request to join")

    assert str(exc.value) == (
        "Membership's moves name unknown statuses [] or leave out ['refused']"
    )


def test_a_move_writes_the_status_the_change_row_and_runs_its_work_after_commit(
    staff_user, django_capture_on_commit_callbacks
):
    funding_round = FundingRoundFactory(status=RoundStatus.CLOSED)
    done = []

    with django_capture_on_commit_callbacks() as callbacks:
        moved = move(
            ROUND,
            funding_round,
            RoundStatus.ASSESSMENT,
            by=staff_user,
            reason="  Panel meets on Monday  ",
            then=done.append,
        )
        assert done == []  # nothing runs before the commit

    assert len(queued_work(callbacks)) == 1
    queued_work(callbacks)[0]()
    assert moved.status == RoundStatus.ASSESSMENT
    assert FundingRound.objects.get(pk=funding_round.pk).status == RoundStatus.ASSESSMENT
    change = RoundStatusChange.objects.get(round=funding_round)
    assert (change.from_status, change.to_status, change.reason, change.changed_by) == (
        RoundStatus.CLOSED,
        RoundStatus.ASSESSMENT,
        "Panel meets on Monday",
        staff_user,
    )
    assert (change.from_label, change.to_label) == ("Closed", "In assessment")
    assert [(m.from_status, m.to_status, m.change, m.by) for m in done] == [
        (RoundStatus.CLOSED, RoundStatus.ASSESSMENT, change, staff_user)
    ]


def test_a_move_the_map_does_not_allow_is_refused_in_the_workflows_words(staff_user):
    funding_round = FundingRoundFactory(status=RoundStatus.DECIDED)

    with pytest.raises(ValidationError) as exc:
        move(ROUND, funding_round, RoundStatus.OPEN, by=staff_user)

    assert exc.value.messages == ["A round that is decided cannot move to open"]
    assert FundingRound.objects.get(pk=funding_round.pk).status == RoundStatus.DECIDED
    assert not RoundStatusChange.objects.exists()


def test_a_status_the_workflow_has_not_is_refused_in_words(staff_user):
    funding_round = FundingRoundFactory(status=RoundStatus.DRAFT)

    with pytest.raises(ValidationError) as exc:
        move(ROUND, funding_round, "²", by=staff_user)

    assert exc.value.messages == ["“²” is not a status a round can have"]
    assert FundingRound.objects.get(pk=funding_round.pk).status == RoundStatus.DRAFT


def test_a_guard_that_refuses_leaves_nothing_written_and_queues_nothing(
    staff_user, django_capture_on_commit_callbacks
):
    funding_round = FundingRoundFactory(status=RoundStatus.CLOSED)
    seen = []

    def guard(locked):
        seen.append(locked.status)
        raise PermissionDenied("Not today")

    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(PermissionDenied):
        move(ROUND, funding_round, RoundStatus.ASSESSMENT, by=staff_user, guard=guard, then=print)

    assert seen == [RoundStatus.CLOSED]  # the guard sees the locked row, before the move
    assert queued_work(callbacks) == []
    assert FundingRound.objects.get(pk=funding_round.pk).status == RoundStatus.CLOSED
    assert not RoundStatusChange.objects.exists()


def test_work_after_a_move_that_rolls_back_never_runs(
    staff_user, django_capture_on_commit_callbacks
):
    funding_round = FundingRoundFactory(status=RoundStatus.CLOSED)

    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        move(ROUND, funding_round, RoundStatus.ASSESSMENT, by=staff_user, then=print)
        raise RuntimeError("the caller fails after the move")

    assert queued_work(callbacks) == []
    assert FundingRound.objects.get(pk=funding_round.pk).status == RoundStatus.CLOSED
    assert not RoundStatusChange.objects.exists()


def test_a_move_judges_the_row_as_saved_not_the_callers_stale_copy(staff_user):
    funding_round = FundingRoundFactory(status=RoundStatus.CLOSED)
    stale = FundingRound.objects.get(pk=funding_round.pk)
    move(ROUND, funding_round, RoundStatus.ASSESSMENT, by=staff_user)

    with pytest.raises(ValidationError) as exc:
        move(ROUND, stale, RoundStatus.ASSESSMENT, by=staff_user)

    assert exc.value.messages == ["A round that is in assessment cannot move to in assessment"]
    assert RoundStatusChange.objects.filter(round=funding_round).count() == 1


def test_a_move_saves_its_changes_and_the_auto_now_timestamp_only(staff_user):
    application = ApplicationFactory(
        status=ApplicationStatus.SUBMITTED, submitted_at=timezone.now(), title="Before"
    )
    earlier = timezone.now() - datetime.timedelta(days=3)
    Application.objects.filter(pk=application.pk).update(updated_at=earlier)
    application.title = "Changed in memory only"

    moved = move(APPLICATION, application, ApplicationStatus.UNDER_ASSESSMENT, by=staff_user)

    saved = Application.objects.get(pk=application.pk)
    assert saved.status == ApplicationStatus.UNDER_ASSESSMENT
    assert saved.title == "Before"  # the kernel re-reads the row: stray edits are not saved
    assert saved.updated_at > earlier
    assert moved.updated_at == saved.updated_at
    assert ApplicationStatusChange.objects.get(application=application).to_label == (
        "Under assessment"
    )


def test_a_workflow_with_its_own_refusal_says_it():
    membership = MembershipFactory(status=MembershipStatus.REFUSED)
    staff = UserFactory(roles=[Role.OPCC_STAFF])

    with pytest.raises(ValidationError) as exc:
        membership_decide(membership=membership, accept=True, by=staff)

    assert exc.value.messages == ["This request has already been decided"]
    assert Membership.objects.get(pk=membership.pk).status == MembershipStatus.REFUSED


@pytest.mark.parametrize("role", [Role.PROVIDER, Role.PANEL_MEMBER, None])
def test_only_opcc_staff_decide_a_request_to_join_even_through_the_service(role):
    membership = MembershipFactory(status=MembershipStatus.REQUESTED)
    person = UserFactory(roles=[role] if role else [])

    with pytest.raises(PermissionDenied) as exc:
        membership_decide(membership=membership, accept=True, by=person)

    assert str(exc.value) == "Only OPCC staff can decide a request to join"
    saved = Membership.objects.get(pk=membership.pk)
    assert (saved.status, saved.decided_by) == (MembershipStatus.REQUESTED, None)


def test_staff_deciding_a_request_to_join_is_recorded_with_who_and_when():
    membership = MembershipFactory(status=MembershipStatus.REQUESTED)
    staff = UserFactory(roles=[Role.OPCC_STAFF])

    membership_decide(membership=membership, accept=True, by=staff)

    saved = Membership.objects.get(pk=membership.pk)
    assert (saved.status, saved.decided_by) == (MembershipStatus.ACTIVE, staff)
    assert saved.decided_at is not None


@pytest.mark.parametrize("role", [Role.PROVIDER, Role.PANEL_MEMBER])
def test_only_opcc_staff_verify_an_organisation_even_through_the_service(role):
    organisation = OrganisationFactory(pending=True)
    person = UserFactory(roles=[role])

    with pytest.raises(PermissionDenied) as exc:
        organisation_set_verification(
            organisation=organisation, to_status=VerificationStatus.VERIFIED, by=person
        )

    assert str(exc.value) == "Only OPCC staff can verify an organisation"
    saved = Organisation.objects.get(pk=organisation.pk)
    assert (saved.verification_status, saved.verified_by) == (VerificationStatus.PENDING, None)
    assert not OrganisationStatusChange.objects.exists()


def test_verification_labels_come_from_the_organisations_own_status_field():
    organisation = OrganisationFactory(pending=True)
    staff = UserFactory(roles=[Role.OPCC_STAFF])

    organisation_set_verification(
        organisation=organisation, to_status=VerificationStatus.VERIFIED, by=staff
    )

    change = OrganisationStatusChange.objects.get(organisation=organisation)
    assert (change.from_label, change.to_label) == ("Waiting for verification", "Verified")
    assert str(change) == f"{organisation}: pending → verified"
