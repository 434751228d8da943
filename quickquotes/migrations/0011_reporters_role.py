"""Reporters add quick quotes and change their own drafts; Editors publish (newsroom.roles)."""

from django.db import migrations


def grant(apps, schema_editor):
    from newsroom.roles import grant_role_permissions

    grant_role_permissions(apps, ["quickquotes"])


class Migration(migrations.Migration):
    dependencies = [
        ("quickquotes", "0010_reporters_and_review"),
        ("newsroom", "0019_reporters_role"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
