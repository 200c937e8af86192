"""Forms validate input only; grants.services applies the rules. One module per subject."""

from .agreements import (
    AcceptForm,
    AgreementReturnForm,
    AgreementTemplateForm,
    BankDetailsForm,
    BankVerifyForm,
    DiligenceCheckForm,
    OfferForm,
)
from .application_sections import (
    DeclarationsForm,
    DeliveryForm,
    EvidenceForm,
    OutcomesForm,
    PrioritiesForm,
    ProjectForm,
)
from .applications import (
    ApplicationStartForm,
    AttachmentForm,
    BudgetLineForm,
    WithdrawForm,
    financial_years,
)
from .awards import AllocationForm, AwardWithdrawForm, StreamForm
from .common import MoneyField, helper, words
from .panels import (
    AssignmentForm,
    DeclarationForm,
    ModerationForm,
    PanelForm,
    ReopenForm,
    ScorecardForm,
    panellist_label,
)
from .rounds import (
    ROUND_REQUIRED_MESSAGES,
    CriterionForm,
    CriterionFormSet,
    RoundCloseForm,
    RoundForm,
    RoundMoveForm,
    criteria_initial,
    criteria_posted,
)
from .staff import EligibilityForm, LogBidForm, StaffSubmitForm

__all__ = [
    "AcceptForm",
    "AgreementReturnForm",
    "AgreementTemplateForm",
    "BankDetailsForm",
    "BankVerifyForm",
    "DiligenceCheckForm",
    "OfferForm",
    "AllocationForm",
    "AwardWithdrawForm",
    "StreamForm",
    "ROUND_REQUIRED_MESSAGES",
    "ApplicationStartForm",
    "AssignmentForm",
    "AttachmentForm",
    "BudgetLineForm",
    "CriterionForm",
    "CriterionFormSet",
    "DeclarationForm",
    "DeclarationsForm",
    "DeliveryForm",
    "EligibilityForm",
    "EvidenceForm",
    "LogBidForm",
    "ModerationForm",
    "MoneyField",
    "OutcomesForm",
    "PanelForm",
    "PrioritiesForm",
    "ProjectForm",
    "ReopenForm",
    "RoundCloseForm",
    "RoundForm",
    "RoundMoveForm",
    "ScorecardForm",
    "StaffSubmitForm",
    "WithdrawForm",
    "criteria_initial",
    "criteria_posted",
    "financial_years",
    "helper",
    "panellist_label",
    "words",
]
