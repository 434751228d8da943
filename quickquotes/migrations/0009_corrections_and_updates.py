"""Corrections and updates: the quick quote's date of its newest note readers see (the
notes themselves are newsroom's ItemNote)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('quickquotes', '0008_scheduled_unpublish'),
    ]

    operations = [
        migrations.AddField(
            model_name='quickquote',
            name='last_note_at',
            field=models.DateTimeField(blank=True, editable=False, help_text='The date of the newest note readers see (kept by the notes themselves).', null=True, verbose_name='latest correction or update'),
        ),
    ]
