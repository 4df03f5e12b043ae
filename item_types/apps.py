from django.apps import AppConfig


class ItemTypesConfig(AppConfig):
    name = "item_types"
    verbose_name = "Content model"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from item_types import signals  # noqa: F401  (connects the schema_version receivers)
