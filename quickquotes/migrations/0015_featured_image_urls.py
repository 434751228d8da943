"""Each quick quote's old featured image URL becomes a library image to be fetched (see
newsroom.images.legacy); reversible."""

from django.db import migrations

from newsroom.images.legacy import migration_operation


class Migration(migrations.Migration):
    dependencies = [("quickquotes", "0014_images"), ("newsroom", "0028_featured_image_urls")]

    operations = [migration_operation("quickquotes", "quickquote")]
