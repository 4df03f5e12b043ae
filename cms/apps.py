from django.apps import AppConfig


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = "API access"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from cms import db, db_lookups

        db.install()  # statement time limits and RE2's REGEXP on every connection
        db_lookups.install()  # field__any_of: one array parameter on PostgreSQL
