from django.apps import AppConfig


class EnvironmentsConfig(AppConfig):
    name = "environments"
    verbose_name = "Environments"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from environments import selection

        selection.install()  # each connection opens on (or attaches) the selected storage
