import pytest

from tests.factories import ApplicationFactory, FundingRoundFactory


@pytest.fixture
def organisation(provider_user):
    return provider_user.memberships.get().organisation


@pytest.fixture
def draft(provider_user, organisation):
    funding_round = FundingRoundFactory(slug="history-round", reference_prefix="HIS")
    return ApplicationFactory(
        round=funding_round,
        organisation=organisation,
        created_by=provider_user,
        reference="HIS-0001",
        title="Street sport on the seafront",
    )
