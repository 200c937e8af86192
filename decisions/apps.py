from django.apps import AppConfig


class DecisionsConfig(AppConfig):
    name = "decisions"
    verbose_name = "Decision records"

    def ready(self):
        from . import cached_pages, history, subject_access

        history.register_models()
        subject_access.connect()
        cached_pages.connect()
