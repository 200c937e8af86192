"""What the field history records in grants: rounds, applications, panels, moderation, and
the funding streams' allocations, awards, their due diligence, agreements, targets, returns
and payments, and bank details (masked). The ledger needs none: it is only ever added to."""

from svd_portal import history


def register_models() -> None:
    from .models import (
        Agreement,
        AgreementTemplate,
        Application,
        AssessmentCriterion,
        Award,
        AwardTarget,
        BankAccount,
        BudgetLine,
        DiligenceCheck,
        FundingRound,
        FundingStream,
        ModeratedScore,
        Moderation,
        MonitoringReturn,
        Panel,
        PanelMember,
        Payment,
        StreamAllocation,
    )

    # The reference counter moves with every new application: noise, not a change.
    history.register(FundingRound, exclude=["next_application_number"], m2m=["priorities"])
    history.register(AssessmentCriterion, parent="round")
    history.register(Application, exclude=["updated_at"], m2m=["priorities", "success_measures"])
    history.register(BudgetLine, parent="application")
    history.register(Panel)
    history.register(PanelMember, parent="panel")
    # When and by whom are the entry's own time and actor.
    history.register(Moderation, parent="application", exclude=["moderated_at"])
    history.register(ModeratedScore, parent="moderation")
    history.register(FundingStream)
    history.register(StreamAllocation, parent="stream")
    history.register(Award)
    # The account number as everywhere else: only its last four digits.
    history.register(BankAccount, parent="organisation", mask=["account_number"])
    history.register(DiligenceCheck, parent="award")
    history.register(AgreementTemplate, exclude=["updated_at", "updated_by"])
    history.register(Agreement, parent="award")
    history.register(AwardTarget, parent="award")
    history.register(MonitoringReturn, parent="award", exclude=["saved_at"])
    history.register(Payment, parent="award")
