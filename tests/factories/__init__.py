"""factory_boy factories for the portal's models."""

from .grants import (
    ApplicationFactory,
    BudgetLineFactory,
    FundingRoundFactory,
    complete_application,
)
from .partners import (
    MembershipFactory,
    OrganisationFactory,
    PartnershipFactory,
    StrategicPriorityFactory,
    UserFactory,
)

__all__ = [
    "ApplicationFactory",
    "BudgetLineFactory",
    "FundingRoundFactory",
    "complete_application",
    "MembershipFactory",
    "OrganisationFactory",
    "PartnershipFactory",
    "StrategicPriorityFactory",
    "UserFactory",
]
