"""Corrections and updates: the ItemNote (a dated note on an item of any kind, through
its content type), and the article's date of its newest note readers see."""

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('newsroom', '0014_scheduled_unpublish'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='article',
            name='last_note_at',
            field=models.DateTimeField(blank=True, editable=False, help_text='The date of the newest note readers see (kept by the notes themselves).', null=True, verbose_name='latest correction or update'),
        ),
        migrations.CreateModel(
            name='ItemNote',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('object_id', models.PositiveBigIntegerField(verbose_name='item')),
                ('kind', models.CharField(choices=[('correction', 'Correction'), ('update', 'Update')], default='correction', help_text='A correction fixes an error; an update adds what is new.', max_length=20, verbose_name='kind')),
                ('noted_at', models.DateTimeField(default=django.utils.timezone.now, help_text="Shown with the note; a later date than the item's last change moves it.", verbose_name='date')),
                ('text', models.TextField(help_text='Plain text, shown to readers as written. Once saved it stays as it is: to change it, retract it with a reason and add another.', validators=[django.core.validators.ProhibitNullCharactersValidator()], verbose_name='text')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='added')),
                ('retracted_at', models.DateTimeField(blank=True, editable=False, null=True, verbose_name='retracted')),
                ('retraction_reason', models.TextField(blank=True, help_text='Why the note no longer applies (superseded, say). Readers then no longer see it; staff see it here with the reason, for good.', validators=[django.core.validators.ProhibitNullCharactersValidator()], verbose_name='retraction reason')),
                ('content_type', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='contenttypes.contenttype', verbose_name='kind of item')),
                ('created_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='added by')),
                ('retracted_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='retracted by')),
            ],
            options={
                'verbose_name': 'correction or update',
                'verbose_name_plural': 'corrections and updates',
                'ordering': ['-noted_at', '-pk'],
                'indexes': [models.Index(fields=['content_type', 'object_id', 'noted_at'], name='note_item_idx')],
            },
        ),
    ]
