"""factory_boy factories for the portal's models."""

from .decisions import DecisionRecordFactory
from .grants import (
    ApplicationFactory,
    BudgetLineFactory,
    FundingRoundFactory,
    complete_application,
)
from .panels import (
    ConflictDeclarationFactory,
    ModerationFactory,
    PanelFactory,
    PanelMemberFactory,
    ScorecardFactory,
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
    "DecisionRecordFactory",
    "ConflictDeclarationFactory",
    "ModerationFactory",
    "PanelFactory",
    "PanelMemberFactory",
    "ScorecardFactory",
]
