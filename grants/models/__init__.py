from .applications import (
    Application,
    ApplicationStatusChange,
    Attachment,
    BudgetLine,
    attachment_path,
)
from .panels import (
    Assignment,
    ConflictDeclaration,
    ModeratedScore,
    Moderation,
    Panel,
    PanelMember,
    Score,
    Scorecard,
    ScorecardReopening,
)
from .rounds import (
    MONEY,
    AssessmentCriterion,
    AwardCap,
    EvidenceStrand,
    FundingRound,
    RoundStatusChange,
)

__all__ = [
    "Assignment",
    "ConflictDeclaration",
    "ModeratedScore",
    "Moderation",
    "Panel",
    "PanelMember",
    "Score",
    "Scorecard",
    "ScorecardReopening",
    "MONEY",
    "Application",
    "ApplicationStatusChange",
    "AssessmentCriterion",
    "Attachment",
    "AwardCap",
    "BudgetLine",
    "EvidenceStrand",
    "FundingRound",
    "RoundStatusChange",
    "attachment_path",
]
