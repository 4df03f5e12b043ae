from django.apps import AppConfig


class SchedulesConfig(AppConfig):
    name = "schedules"
    verbose_name = "Scheduled publishing"
    default_auto_field = "django.db.models.BigAutoField"
