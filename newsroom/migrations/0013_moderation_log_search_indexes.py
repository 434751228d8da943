"""Indexes for the moderation log's admin search: an exact rule, a moderator's name prefix."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('newsroom', '0012_sitemap_indexes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='commentstatuschange',
            index=models.Index(fields=['rule'], name='log_rule_idx'),
        ),
        migrations.AddIndex(
            model_name='commentstatuschange',
            index=models.Index(fields=['actor_name'], name='log_actor_idx', opclasses=['varchar_pattern_ops']),
        ),
    ]
