"""The old featured image columns, now held by the image library."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("newsroom", "0028_featured_image_urls")]

    operations = [
        migrations.RemoveField(model_name="article", name=f"featured_image_{name}")
        for name in ("alt", "caption", "credit", "url")
    ]
