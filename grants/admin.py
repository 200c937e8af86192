from django.contrib import admin

from svd_portal.admin import PortalModelAdmin, PortalTabularInline

from .models import (
    Application,
    AssessmentCriterion,
    AwardCap,
    BudgetLine,
    EvidenceStrand,
    FundingRound,
)


@admin.register(EvidenceStrand)
class EvidenceStrandAdmin(PortalModelAdmin):
    """The toolkit strands applicants choose from: OPCC staff keep this list."""

    list_display = ["name", "toolkit", "is_active"]
    list_filter = ["toolkit", "is_active"]
    search_fields = ["name"]


class AwardCapInline(PortalTabularInline):
    model = AwardCap
    extra = 0


class AssessmentCriterionInline(PortalTabularInline):
    model = AssessmentCriterion
    extra = 0


@admin.register(FundingRound)
class FundingRoundAdmin(PortalModelAdmin):
    """Read-only here: rounds are managed on the portal's staff pages, which keep their rules."""

    list_display = ["title", "fund_name", "status", "opens_at", "closes_at", "budget"]
    list_filter = ["status"]
    search_fields = ["title", "fund_name"]
    inlines = [AwardCapInline, AssessmentCriterionInline]


class BudgetLineInline(PortalTabularInline):
    model = BudgetLine
    extra = 0


@admin.register(Application)
class ApplicationAdmin(PortalModelAdmin):
    """Read-only here: applications move only through their workflow service."""

    list_display = ["reference", "title", "organisation", "status", "amount_requested"]
    list_filter = ["status", "stage", "channel", "round"]
    search_fields = ["reference", "title", "organisation__name"]
    list_select_related = ["organisation"]
    inlines = [BudgetLineInline]
