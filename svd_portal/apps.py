from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class PortalConfig(AppConfig):
    name = "svd_portal"
    verbose_name = "SVD Grants Portal"
    default = True

    def ready(self):
        # Services queue background work by task name (svd_portal.tasks.enqueue) rather than
        # importing the tasks modules, which import the services; this registers every
        # app's tasks with Celery, in the web processes as in the worker.
        from . import audit, retention, subject_access
        from .celery import app

        app.autodiscover_tasks(force=True)
        audit.connect()
        subject_access.register("audit_trail", audit.subject_access_lines)
        for schedule in retention.sign_in_schedules():
            retention.register(schedule)


class PortalAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "svd_portal.admin.PortalAdminSite"
