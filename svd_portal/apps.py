from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class PortalConfig(AppConfig):
    name = "svd_portal"
    verbose_name = "SVD Grants Portal"
    default = True


class PortalAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "svd_portal.admin.PortalAdminSite"
