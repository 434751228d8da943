"""The comment page index, extended to the reading order: a page of a long thread is found
from the index alone, not by reading the rows it skips."""

import newsroom.models.discussion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('newsroom', '0010_admin_indexes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='comment',
            name='comment_page_idx',
        ),
        migrations.AddIndex(
            model_name='comment',
            index=models.Index(models.F('article'), models.F('status'), models.F('kind'), models.F('submitted_at'), newsroom.models.discussion.ReadingPosition(), models.F('id'), models.F('parent'), models.F('position'), name='comment_thread_idx'),
        ),
    ]
