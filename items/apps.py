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
        from items.selectors import records_using_upload
        from uploads import services as uploads

        # Deleting an upload that records use is refused (uploads' hook for us).
        if records_using_upload not in uploads.REFERENCE_FINDERS:
            uploads.REFERENCE_FINDERS.append(records_using_upload)
        sql_functions.install()  # SQLite's filter functions (structured text, distances)
