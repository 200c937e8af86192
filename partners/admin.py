from auditlog.admin import LogEntryAdmin as AuditlogEntryAdmin
from auditlog.models import LogEntry
from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import BaseUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.html import format_html
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from svd_portal.admin import PortalModelAdmin, PortalTabularInline
from svd_portal.formatting import plural

from . import closing, services, two_factor
from .mixins import confirm_first
from .models import (
    Area,
    Membership,
    Organisation,
    OrganisationStatusChange,
    Partnership,
    PartnershipMember,
    StrategicPriority,
    SuccessMeasure,
    User,
)
from .rules import PRIVILEGED_ROLES


class UserCreationAdminForm(BaseUserCreationForm):
    class Meta:
        model = User
        fields = ["email", "full_name"]

    def clean_email(self):
        # Stored in lower case, as sign-up does, so that every lookup agrees.
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("An account with this email address already exists")
        return email


class UserChangeAdminForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(PortalModelAdmin, DjangoUserAdmin):
    form = UserChangeAdminForm
    add_form = UserCreationAdminForm
    ordering = ["email"]
    list_display = ["email", "full_name", "is_active", "roles", "date_joined"]
    list_filter = ["is_active", "groups"]
    search_fields = ["email", "full_name"]
    fieldsets = [
        (None, {"fields": ["email", "full_name", "password"]}),
        ("Roles", {"fields": ["is_active", "groups"]}),
        ("Superuser", {"fields": ["is_staff", "is_superuser", "user_permissions"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
        ("Subject access", {"fields": ["subject_access"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "full_name", "password1", "password2"]}),
    ]
    readonly_fields = ["last_login", "date_joined", "subject_access"]
    filter_horizontal = ["groups", "user_permissions"]
    actions = ["unlock_sign_in", "reset_second_factor", "close_accounts"]

    # Roles change here: the second factor must have been given recently.
    def add_view(self, request, *args, **kwargs):
        if not two_factor.given_recently(request):
            return confirm_first(request)
        return super().add_view(request, *args, **kwargs)

    def change_view(self, request, *args, **kwargs):
        if not two_factor.given_recently(request):
            return confirm_first(request)
        return super().change_view(request, *args, **kwargs)

    def has_reset_second_factor_permission(self, request):
        return request.user.is_superuser

    @admin.action(
        description="Reset the second factor (a lost phone): a new app at the next sign-in",
        permissions=["reset_second_factor"],
    )
    def reset_second_factor(self, request, queryset):
        if not two_factor.given_recently(request):
            return confirm_first(request)
        reset = []
        for user in queryset.order_by("email"):
            two_factor.reset(user=user, by=request.user)
            reset.append(user.email)
            self.log_change(request, user, "Reset the second factor")
        self.message_user(
            request,
            f"The second factor is reset for {', '.join(reset)}: each sets up a new "
            "authenticator app the next time they sign in, and is signed out everywhere.",
        )
        return None

    def has_close_accounts_permission(self, request):
        return request.user.is_superuser

    @admin.action(
        description="Close the accounts: name, email address, password, second factor, roles "
        "and memberships removed",
        permissions=["close_accounts"],
    )
    def close_accounts(self, request, queryset):
        """What a person asks the OPCC for when they may not close their own account (a
        staff-side role): only a superuser, never their own account here."""
        if not two_factor.given_recently(request):
            return confirm_first(request)
        closed = 0
        for person in queryset.filter(closed_at__isnull=True).exclude(pk=request.user.pk):
            closing.close(person, why="Closed by a superuser", by=request.user)
            closed += 1
        if queryset.filter(pk=request.user.pk).exists():
            self.message_user(request, "Your own account is not closed here.", messages.WARNING)
        self.message_user(request, f"{plural(closed, 'account')} closed.")
        return None

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description="Everything held about this person")
    def subject_access(self, obj):
        if obj is None or obj.pk is None:
            return "–"
        return format_html(
            '<a href="{}">Download it (a ZIP of JSON files and their files); the download '
            "is recorded in the audit trail</a>",
            reverse("partners:person-data", args=[obj.pk]),
        )

    @admin.display(description="Roles")
    def roles(self, obj):
        return ", ".join(group.name for group in obj.groups.all()) or "–"

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups" and not request.user.is_superuser:
            # Staff grant the outside roles; the OPCC's own are for a superuser (rules.py).
            kwargs["queryset"] = Group.objects.exclude(name__in=PRIVILEGED_ROLES).order_by("name")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.action(
        description="Unlock signing in after too many wrong passwords", permissions=["change"]
    )
    def unlock_sign_in(self, request, queryset):
        unlocked, refused = [], []
        for user in queryset.order_by("email"):
            try:
                services.user_sign_in_unlock(user=user, by=request.user)
            except PermissionDenied:
                refused.append(user.email)
            else:
                unlocked.append(user.email)
                self.log_change(request, user, "Unlocked signing in")
        if unlocked:
            self.message_user(request, f"Signing in is unlocked for {', '.join(unlocked)}.")
        if refused:
            self.message_user(
                request,
                f"Not unlocked: {', '.join(refused)}. Only a superuser may unlock the accounts "
                "of OPCC staff, the Chief Executive, the PCC and superusers.",
                messages.ERROR,
            )

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if not request.user.is_superuser:
            # Only a superuser can make another superuser or grant raw permissions.
            fieldsets = [fs for fs in fieldsets if fs[0] != "Superuser"]
        return fieldsets


# The devices' secrets are never shown: a lost phone is the reset action above.
for model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


class MembershipInline(PortalTabularInline):
    """Accepting or declining goes through the organisation's page (partners.services
    .membership_decide), so the status is read-only here: a membership added here starts
    as requested, like one asked for on the portal."""

    model = Membership
    fk_name = "organisation"
    extra = 0
    autocomplete_fields = ["user"]
    readonly_fields = ["status", "requested_at", "decided_at", "decided_by"]


class StatusChangeInline(PortalTabularInline):
    model = OrganisationStatusChange
    extra = 0
    can_delete = False
    fields = ["changed_at", "from_status", "to_status", "changed_by", "reason"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Organisation)
class OrganisationAdmin(PortalModelAdmin):
    list_display = ["name", "kind", "org_id", "is_registered", "verification_status"]
    list_filter = ["verification_status", "kind"]
    search_fields = ["name", "charity_number", "company_number"]
    # Verification moves go through the portal's page, so they are recorded.
    readonly_fields = [
        "verification_status",
        "verified_at",
        "verified_by",
        "created_at",
        "created_by",
    ]
    inlines = [MembershipInline, StatusChangeInline]

    @admin.display(boolean=True, description="Registered")
    def is_registered(self, obj):
        return obj.is_registered


class PartnershipMemberInline(PortalTabularInline):
    model = PartnershipMember
    extra = 0
    autocomplete_fields = ["organisation"]


class StrategicPriorityInline(PortalTabularInline):
    model = StrategicPriority
    extra = 0


class AreaInline(PortalTabularInline):
    model = Area
    extra = 0


@admin.register(Partnership)
class PartnershipAdmin(PortalModelAdmin):
    list_display = ["name", "area", "convener", "strategy_review_due"]
    inlines = [PartnershipMemberInline, StrategicPriorityInline, AreaInline]


@admin.register(StrategicPriority)
class StrategicPriorityAdmin(PortalModelAdmin):
    list_display = ["number", "title", "theme", "partnership", "valid_from", "valid_to"]
    list_filter = ["theme", "partnership"]


@admin.register(SuccessMeasure)
class SuccessMeasureAdmin(PortalModelAdmin):
    list_display = ["title", "code", "is_home_office", "partnership"]
    list_filter = ["is_home_office"]
    prepopulated_fields = {"code": ["title"]}


admin.site.unregister(LogEntry)


@admin.register(LogEntry)
class LogEntryAdmin(AuditlogEntryAdmin):
    """The field history, read only: nobody adds, changes or deletes an entry, not even a
    superuser. (Registered here, with the people whose changes it records.)"""

    # auditlog's own list searches first_name and last_name, which this User does not have.
    search_fields = ["object_repr", "actor__full_name", "actor__email"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
