from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = "Partners and people"

    def ready(self):
        from . import closing, history, middleware, subject_access  # noqa: F401 (middleware: a receiver)

        history.register_models()
        subject_access.connect()
        closing.connect()
