"""The old featured image columns, now held by the image library."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("quickquotes", "0014_featured_image_urls")]

    operations = [
        migrations.RemoveField(
            model_name='quickquote',
            name='featured_image_alt',
        ),
        migrations.RemoveField(
            model_name='quickquote',
            name='featured_image_caption',
        ),
        migrations.RemoveField(
            model_name='quickquote',
            name='featured_image_credit',
        ),
        migrations.RemoveField(
            model_name='quickquote',
            name='featured_image_url',
        ),
    ]
