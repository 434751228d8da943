"""Scheduled unpublishing: an article's optional expiry time, in the index readers' lists
walk (so whether an item is shown is read from the index alone), and an index of the few
expiry times for the next one a cached listing must not outlive."""

from django.db import migrations, models

HELP = (
    "From this time on readers no longer see the item: it leaves the listings, feeds, "
    "search and sitemaps, and its address answers “gone” (410). Left empty, it stays up."
)


class Migration(migrations.Migration):

    dependencies = [
        ('newsroom', '0013_moderation_log_search_indexes'),
    ]

    operations = [
        migrations.AddField(
            model_name='article',
            name='expires_at',
            field=models.DateTimeField(blank=True, help_text=HELP, null=True, verbose_name='expiry time'),
        ),
        migrations.RemoveIndex(
            model_name='article',
            name='newsroom_article_pub_idx',
        ),
        migrations.AddIndex(
            model_name='article',
            index=models.Index(fields=['status', 'published_at', 'id', 'expires_at'], name='newsroom_article_pub_idx'),
        ),
        migrations.AddIndex(
            model_name='article',
            index=models.Index(condition=models.Q(('expires_at__isnull', False)), fields=['expires_at'], name='newsroom_article_exp_idx'),
        ),
    ]
