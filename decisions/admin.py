from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from svd_portal.admin import PortalModelAdmin

from .models import DecisionRecord


@admin.register(DecisionRecord)
class DecisionRecordAdmin(PortalModelAdmin):
    """Read only: records are drafted, edited and moved on the portal's pages, through
    the services that check each step and record it in the field history.
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
        "section_b_report",
        "section_b_redacted_report",
    ]
    filter_horizontal = ["applications"]
    # Section B and its redacted copy are private files with no URL, so the admin's file
    # widget and its read-only display (both link to the file's URL) cannot show them. They
    # are uploaded on the portal's edit page, and read through the staff pages that check
    # who is asking.
    exclude = ["section_b", "section_b_redacted"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Section B report")
    def section_b_report(self, obj):
        if not obj.section_b:
            return None
        url = reverse("decisions:staff-section-b", args=[obj.pk])
        return format_html('<a href="{}">Download the Section B report</a>', url)

    @admin.display(description="Redacted Section B report, for publication")
    def section_b_redacted_report(self, obj):
        if not obj.section_b_redacted:
            return None
        url = reverse("decisions:staff-section-b-redacted", args=[obj.pk])
        return format_html('<a href="{}">Download the redacted Section B report</a>', url)
