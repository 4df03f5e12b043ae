"""Every statement that writes records, versions or references draws the next value of
one sequence (``public.cms_record_changes``), so that a worker can tell that no record has
changed since it counted a list (``items.counts``). Each storage (environment) migrates on
its own: the sequence and the function are the project's, shared by all; each storage's
tables get the trigger. PostgreSQL only; no column, index or row changes."""

from django.db import migrations

TABLES = ("items_item", "items_itemversion", "items_reference")
SHARED = [
    "CREATE SEQUENCE IF NOT EXISTS public.cms_record_changes",
    # AFTER the statement's rows: its transaction has an id when it draws (items.counts).
    "CREATE OR REPLACE FUNCTION public.cms_record_changed() RETURNS trigger "
    "LANGUAGE plpgsql AS $$ BEGIN PERFORM nextval('public.cms_record_changes'); "
    "RETURN NULL; END $$",
]


def add_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for statement in SHARED:
            cursor.execute(statement)
        for table in TABLES:
            cursor.execute(f"DROP TRIGGER IF EXISTS cms_record_changed ON {table}")
            cursor.execute(
                "CREATE TRIGGER cms_record_changed "
                f"AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION public.cms_record_changed()"
            )


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"DROP TRIGGER IF EXISTS cms_record_changed ON {table}")


class Migration(migrations.Migration):
    dependencies = [("items", "0015_block_links_unchecked")]

    operations = [migrations.RunPython(add_triggers, drop_triggers)]
