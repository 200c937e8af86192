"""The admin site, opened to OPCC staff through `rules` rather than Django's is_staff flag."""

import rules
from django.contrib import admin
from django.contrib.auth import get_permission_codename


class PortalAdminSite(admin.AdminSite):
    site_header = "SVD Grants Portal administration"
    site_title = "SVD Grants Portal"
    index_title = "Administration"

    def has_permission(self, request):
        user = request.user
        return user.is_active and (user.is_superuser or rules.has_perm("admin.access", user))


class RulesPermissionsMixin:
    """Every admin permission is the `rules` permission `<app>.<action>_<model>`.

    Superusers pass every check (Django's User.has_perm); a permission with no
    rule is refused, so deleting is closed unless an app's rules.py opens it.
    """

    def _allowed(self, request, action, obj=None):
        codename = get_permission_codename(action, self.opts)
        return request.user.has_perm(f"{self.opts.app_label}.{codename}", obj)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request, "view", obj) or self._allowed(request, "change", obj)

    def has_add_permission(self, request, obj=None):
        return self._allowed(request, "add")

    def has_change_permission(self, request, obj=None):
        return self._allowed(request, "change", obj)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request, "delete", obj)

    def has_module_permission(self, request):
        return request.user.has_module_perms(self.opts.app_label)


class PortalModelAdmin(RulesPermissionsMixin, admin.ModelAdmin):
    pass


class PortalTabularInline(RulesPermissionsMixin, admin.TabularInline):
    pass
