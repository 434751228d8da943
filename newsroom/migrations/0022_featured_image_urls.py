"""Each item's old featured image URL becomes a library image to be fetched (see
newsroom.images.legacy); reversible."""

from django.db import migrations


def forward(apps, schema_editor):
    from newsroom.images.legacy import urls_to_images

    urls_to_images(apps, "newsroom", "article")


def backward(apps, schema_editor):
    from newsroom.images.legacy import images_to_urls

    images_to_urls(apps, "newsroom", "article")


class Migration(migrations.Migration):
    dependencies = [("newsroom", "0021_images")]

    operations = [migrations.RunPython(forward, backward)]
