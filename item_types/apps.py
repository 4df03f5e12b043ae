from django.apps import AppConfig


class ItemTypesConfig(AppConfig):
    name = "item_types"
    verbose_name = "Content model"
    default_auto_field = "django.db.models.BigAutoField"
