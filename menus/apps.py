from django.apps import AppConfig


class MenusConfig(AppConfig):
    name = "menus"
    verbose_name = "Menus"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from menus import model_hooks  # noqa: F401  (a new model's menu items, a deleted one's)
