"""The Reporters group; Editors may publish (newsroom.roles)."""

from django.db import migrations


def grant(apps, schema_editor):
    from newsroom.roles import grant_role_permissions

    grant_role_permissions(apps, ["newsroom"])


class Migration(migrations.Migration):
    dependencies = [("newsroom", "0018_reporters_and_review")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
