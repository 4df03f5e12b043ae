from django.apps import AppConfig


class ItemsConfig(AppConfig):
    name = "items"
    verbose_name = "Records"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from items import (
            signals,  # noqa: F401  (records follow field and locale removals)
            sql_functions,
        )
        from items.references import uploads_in_use
        from uploads import destroying

        # Deleting an upload that records use is refused (uploads' hook for us).
        if uploads_in_use not in destroying.REFERENCE_FINDERS:
            destroying.REFERENCE_FINDERS.append(uploads_in_use)
        sql_functions.install()  # SQLite's filter functions (structured text, distances)
