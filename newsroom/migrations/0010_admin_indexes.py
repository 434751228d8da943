"""Indexes for the admin lists: articles and the comment queue newest first, and the
queue's name-prefix search."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('newsroom', '0009_comment_page_index'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="article",
            index=models.Index(fields=["published_at", "id"], name="newsroom_article_ls_idx"),
        ),
        migrations.AddIndex(
            model_name='comment',
            index=models.Index(fields=['submitted_at', 'id'], name='comment_submitted_idx'),
        ),
        migrations.AddIndex(
            model_name='comment',
            index=models.Index(fields=['author_name'], name='comment_name_idx', opclasses=['varchar_pattern_ops']),
        ),
    ]
