from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "access"
    verbose_name = "Roles and access"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_save

        from access.environments import created
        from environments.models import Environment

        post_save.connect(created, sender=Environment, dispatch_uid="access-environment-created")
