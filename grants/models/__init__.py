from .applications import (
    Application,
    ApplicationStatusChange,
    Attachment,
    BudgetLine,
    attachment_path,
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
