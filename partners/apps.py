from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = "Partners and people"

    def ready(self):
        from . import history, middleware  # noqa: F401 (middleware: its sign-in receiver)

        history.register_models()
