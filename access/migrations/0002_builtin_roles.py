"""The built-in roles (Admin, Editor, Read-only), for the tokens of before to map to."""

from django.db import migrations


def builtin_roles(apps, schema_editor):
    from access import builtins

    builtins.ensure(apps.get_model("access", "Role"), apps.get_model("environments", "Environment"))


class Migration(migrations.Migration):
    dependencies = [
        ("access", "0001_initial"),
        ("environments", "0001_environments"),
    ]

    operations = [migrations.RunPython(builtin_roles, migrations.RunPython.noop)]
