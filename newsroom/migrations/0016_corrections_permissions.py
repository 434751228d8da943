"""Editors add and retract corrections and updates; Moderators see them (newsroom.roles)."""

from django.db import migrations


def grant(apps, schema_editor):
    from newsroom.roles import grant_role_permissions

    grant_role_permissions(apps, ["newsroom"])


class Migration(migrations.Migration):
    dependencies = [("newsroom", "0015_corrections_and_updates")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
