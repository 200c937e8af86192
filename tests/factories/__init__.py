"""factory_boy factories for the portal's models."""

from .partners import (
    MembershipFactory,
    OrganisationFactory,
    PartnershipFactory,
    StrategicPriorityFactory,
    UserFactory,
)

__all__ = [
    "MembershipFactory",
    "OrganisationFactory",
    "PartnershipFactory",
    "StrategicPriorityFactory",
    "UserFactory",
]
