"""The quick quote's featured image, from the image library."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('newsroom', '0027_images'),
        ('quickquotes', '0013_editor_hints'),
    ]

    operations = [
        migrations.AddField(
            model_name='quickquote',
            name='featured_image',
            field=models.ForeignKey(blank=True, help_text='From the image library; its alt text, caption and credit are shown with it.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='newsroom.image', verbose_name='featured image'),
        ),
    ]
