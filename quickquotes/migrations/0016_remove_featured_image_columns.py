"""The old featured image columns, now held by the image library."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("quickquotes", "0015_featured_image_urls")]

    operations = [
        migrations.RemoveField(model_name="quickquote", name=f"featured_image_{name}")
        for name in ("alt", "caption", "credit", "url")
    ]
