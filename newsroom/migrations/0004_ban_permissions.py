from django.db import migrations


def grant(apps, schema_editor):
    from newsroom.roles import grant_role_permissions

    grant_role_permissions(apps, ["newsroom"])


class Migration(migrations.Migration):
    dependencies = [("newsroom", "0003_comment_safeguards_and_bans")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
