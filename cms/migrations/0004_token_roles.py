"""Tokens get a role (access.Role) instead of the role's name, and what DatoCMS's access
tokens have: an encrypted copy of the secret, the CMA/CDA flags, hardcoded_type.
Each token of before maps to the built-in role of its old name (admin, editor, readonly)."""

import django.db.models.deletion
from django.db import migrations, models


def map_roles(apps, schema_editor):
    Role = apps.get_model("access", "Role")
    ApiToken = apps.get_model("cms", "ApiToken")
    roles = dict(Role.objects.filter(builtin__isnull=False).values_list("builtin", "pk"))
    for key, role_id in roles.items():
        ApiToken.objects.filter(role=key).update(role_ref_id=role_id)
    # A name from outside the three (hand-edited data): the least it could be, read-only.
    ApiToken.objects.filter(role_ref__isnull=True).update(role_ref_id=roles["readonly"])


def unmap_roles(apps, schema_editor):
    ApiToken = apps.get_model("cms", "ApiToken")
    for token in ApiToken.objects.select_related("role_ref"):
        builtin = token.role_ref.builtin or "readonly"
        ApiToken.objects.filter(pk=token.pk).update(role=builtin)


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0003_drop_unanswered_idempotency_keys"),
        ("access", "0002_builtin_roles"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="role_ref",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="access.role",
            ),
        ),
        migrations.RunPython(map_roles, unmap_roles),
        migrations.RemoveField(model_name="apitoken", name="role"),
        migrations.RenameField(model_name="apitoken", old_name="role_ref", new_name="role"),
        migrations.AlterField(
            model_name="apitoken",
            name="role",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="tokens",
                to="access.role",
            ),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="secret_encrypted",
            field=models.TextField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="can_access_cma",
            field=models.BooleanField(default=True),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="can_access_cda",
            field=models.BooleanField(default=True),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="can_access_cda_preview",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="hardcoded_type",
            field=models.CharField(blank=True, editable=False, max_length=32, null=True),
        ),
    ]
