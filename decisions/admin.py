from django.contrib import admin

from svd_portal.admin import PortalModelAdmin

from .models import DecisionRecord


@admin.register(DecisionRecord)
class DecisionRecordAdmin(PortalModelAdmin):
    """Read-only once signed: `decisions.change_decisionrecord` holds only for drafts.

    Workflow moves are not made here: they go through the portal's pages and services.
    """

    list_display = ["reference", "title", "status", "outcome", "published_at"]
    list_filter = ["status", "outcome"]
    search_fields = ["reference", "title"]
    readonly_fields = [
        "reference",
        "status",
        "outcome",
        "declaration",
        "officer_approval_name",
        "officer_approval_role",
        "officer_approved_on",
        "officer_approved_by",
        "advice_confirmed",
        "signed_by",
        "signed_name",
        "signed_on",
        "signed_at",
        "published_at",
        "created_by",
        "created_at",
        "corrects",
    ]
    filter_horizontal = ["applications"]
