from django.db import migrations


def create_roles(apps, schema_editor):
    from newsroom.roles import grant_role_permissions

    grant_role_permissions(apps, ["quickquotes"])


class Migration(migrations.Migration):
    dependencies = [
        ("quickquotes", "0001_initial"),
        ("newsroom", "0002_roles"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
