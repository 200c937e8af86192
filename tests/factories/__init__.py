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
    member_of_new_organisation,
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
    "member_of_new_organisation",
    "DecisionRecordFactory",
    "ConflictDeclarationFactory",
    "ModerationFactory",
    "PanelFactory",
    "PanelMemberFactory",
    "ScorecardFactory",
]
