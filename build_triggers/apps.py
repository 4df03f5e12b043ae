from django.apps import AppConfig


class BuildTriggersConfig(AppConfig):
    name = "build_triggers"
    verbose_name = "Build triggers"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from build_triggers import autotrigger
        from schedules.signals import schedule_ran

        schedule_ran.connect(autotrigger.after_schedule, dispatch_uid="build_triggers.autotrigger")
