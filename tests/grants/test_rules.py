import pytest
from django.utils import timezone

from grants.enums import ApplicationStatus, Channel
from grants.services import APPLICATION_MOVES
from tests.factories import ApplicationFactory

S = ApplicationStatus


def _application(status, **kwargs):
    submitted_at = None if status == S.DRAFT else timezone.now()
    return ApplicationFactory(status=status, submitted_at=submitted_at, **kwargs)


@pytest.mark.parametrize("status", list(S))
def test_withdraw_permission_matches_the_workflow(status, provider_user, provider_org):
    """The link shown and the move the service allows must be the same thing."""
    application = _application(status, organisation=provider_org)

    allowed = provider_user.has_perm("grants.withdraw_application", application)

    assert allowed is (S.WITHDRAWN in APPLICATION_MOVES[status])


@pytest.mark.parametrize(
    ("status", "expected"), [(S.DRAFT, True), (S.SUBMITTED, False), (S.WITHDRAWN, False)]
)
def test_edit_permission_applicant_only_while_draft(status, expected, provider_user, provider_org):
    application = _application(status, organisation=provider_org)

    assert provider_user.has_perm("grants.edit_application", application) is expected


@pytest.mark.parametrize(
    ("channel", "expected"), [(Channel.PORTAL, False), (Channel.EMAIL, True), (Channel.PAPER, True)]
)
def test_edit_permission_staff_only_for_bids_they_logged(channel, expected, staff_user):
    application = _application(S.DRAFT, channel=channel)

    assert staff_user.has_perm("grants.edit_application", application) is expected


def test_read_permission_other_organisation_refused(other_user, provider_org, staff_user):
    application = _application(S.SUBMITTED, organisation=provider_org)

    assert other_user.has_perm("grants.read_application", application) is False
    assert staff_user.has_perm("grants.read_application", application) is True
