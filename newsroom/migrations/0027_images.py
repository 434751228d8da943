"""The image library (images, renditions) and the items' featured image pointing into it."""

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def grant(apps, schema_editor):
    from newsroom.roles import grant_role_permissions

    grant_role_permissions(apps, ["newsroom"])


class Migration(migrations.Migration):

    dependencies = [
        ('newsroom', '0026_front_page_and_menu'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Image',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('file', models.FileField(blank=True, editable=False, max_length=200, upload_to='', verbose_name='file')),
                ('width', models.PositiveIntegerField(blank=True, editable=False, null=True, verbose_name='width')),
                ('height', models.PositiveIntegerField(blank=True, editable=False, null=True, verbose_name='height')),
                ('alt_text', models.CharField(blank=True, help_text='Describes the image for readers who cannot see it: what it shows that matters to the story, in a sentence.', max_length=300, verbose_name='alt text')),
                ('caption', models.CharField(blank=True, max_length=500, verbose_name='caption')),
                ('credit', models.CharField(blank=True, max_length=200, verbose_name='credit')),
                ('focal_x', models.FloatField(default=0.5, help_text='From 0 (left edge) to 1 (right edge): crops keep this point in view.', validators=[django.core.validators.MinValueValidator(0.0), django.core.validators.MaxValueValidator(1.0)], verbose_name='focal point, across')),
                ('focal_y', models.FloatField(default=0.5, help_text='From 0 (top edge) to 1 (bottom edge).', validators=[django.core.validators.MinValueValidator(0.0), django.core.validators.MaxValueValidator(1.0)], verbose_name='focal point, down')),
                ('uploaded_at', models.DateTimeField(default=django.utils.timezone.now, editable=False, verbose_name='uploaded')),
                ('content_hash', models.CharField(blank=True, db_index=True, editable=False, help_text='SHA-256 of the file as it came in: the same file is stored once.', max_length=64, verbose_name='content hash')),
                ('source_url', models.URLField(blank=True, db_index=True, help_text='Where the image was (or is to be) fetched from.', max_length=1000, verbose_name='source URL')),
                ('fetch_status', models.CharField(blank=True, choices=[('', 'Uploaded'), ('pending', 'To be fetched'), ('fetched', 'Fetched'), ('failed', 'Fetch failed')], default='', editable=False, max_length=10, verbose_name='fetch status')),
                ('fetch_error', models.CharField(blank=True, editable=False, max_length=500, verbose_name='fetch error')),
                ('uploaded_by', models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='uploaded by')),
            ],
            options={
                'verbose_name': 'image',
                'verbose_name_plural': 'images',
                'ordering': ['-uploaded_at', '-pk'],
            },
        ),
        migrations.AddField(
            model_name='article',
            name='featured_image',
            field=models.ForeignKey(blank=True, help_text='From the image library; its alt text, caption and credit are shown with it.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='newsroom.image', verbose_name='featured image'),
        ),
        migrations.CreateModel(
            name='Rendition',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('spec', models.CharField(max_length=40, verbose_name='spec')),
                ('width', models.PositiveIntegerField(verbose_name='width')),
                ('height', models.PositiveIntegerField(verbose_name='height')),
                ('format', models.CharField(max_length=10, verbose_name='format')),
                ('file', models.FileField(max_length=200, upload_to='', verbose_name='file')),
                ('image', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='renditions', to='newsroom.image', verbose_name='image')),
            ],
            options={
                'verbose_name': 'rendition',
                'verbose_name_plural': 'renditions',
                'ordering': ['image', 'width'],
            },
        ),
        migrations.AddIndex(
            model_name='image',
            index=models.Index(fields=['-uploaded_at', '-id'], name='newsroom_image_newest'),
        ),
        migrations.AddIndex(
            model_name='image',
            index=models.Index(fields=['fetch_status', 'id'], name='newsroom_image_fetch'),
        ),
        migrations.AddConstraint(
            model_name='rendition',
            constraint=models.UniqueConstraint(fields=('image', 'spec'), name='newsroom_rendition_once'),
        ),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
