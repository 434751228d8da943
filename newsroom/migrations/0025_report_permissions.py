"""Editors and Moderators see readers' reports on a comment's admin page (newsroom.roles)."""

from django.db import migrations


def grant(apps, schema_editor):
    from newsroom.roles import grant_role_permissions

    grant_role_permissions(apps, ["newsroom"])


class Migration(migrations.Migration):
    dependencies = [("newsroom", "0024_comment_reports_and_confirmed_addresses")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
