"""Each article's old featured image URL becomes a library image to be fetched (see
newsroom.images.legacy); reversible."""

from django.db import migrations

from newsroom.images.legacy import migration_operation


class Migration(migrations.Migration):
    dependencies = [("newsroom", "0027_images")]

    operations = [migration_operation("newsroom", "article")]
