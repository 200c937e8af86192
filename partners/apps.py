from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = "Partners and people"

    def ready(self):
        from . import history

        history.register_models()
