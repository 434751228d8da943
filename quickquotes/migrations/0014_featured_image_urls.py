"""Each item's old featured image URL becomes a library image to be fetched (see
newsroom.images.legacy); reversible."""

from django.db import migrations


def forward(apps, schema_editor):
    from newsroom.images.legacy import urls_to_images

    urls_to_images(apps, "quickquotes", "quickquote")


def backward(apps, schema_editor):
    from newsroom.images.legacy import images_to_urls

    images_to_urls(apps, "quickquotes", "quickquote")


class Migration(migrations.Migration):
    dependencies = [("quickquotes", "0013_images"), ("newsroom", "0022_featured_image_urls")]

    operations = [migrations.RunPython(forward, backward)]
