from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "jobs"
    verbose_name = "Background jobs"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.utils.module_loading import autodiscover_modules

        from jobs import checks  # noqa: F401  (registers the settings check)

        # Every app's handlers (``<app>/tasks.py``), in web processes too: ``submit`` refuses
        # a kind no handler takes, and the recovery pass asks whether a kind is rerunnable.
        autodiscover_modules("tasks")
