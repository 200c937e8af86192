"""What the field history records in grants: rounds, applications, panels, moderation, and
the funding streams' allocations and awards."""

from svd_portal import history


def register_models() -> None:
    from .models import (
        Application,
        AssessmentCriterion,
        Award,
        BudgetLine,
        FundingRound,
        FundingStream,
        ModeratedScore,
        Moderation,
        Panel,
        PanelMember,
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
