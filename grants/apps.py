from django.apps import AppConfig


class GrantsConfig(AppConfig):
    name = "grants"
    verbose_name = "Grants"

    def ready(self):
        from . import cached_pages, history, retention, subject_access

        history.register_models()
        subject_access.connect()
        retention.connect()
        cached_pages.connect()
