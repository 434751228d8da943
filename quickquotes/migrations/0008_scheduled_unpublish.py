"""Scheduled unpublishing: a quick quote's optional expiry time, in the index readers' lists
walk (so whether an item is shown is read from the index alone), and an index of the few
expiry times for the next one a cached listing must not outlive."""

from django.db import migrations, models

HELP = (
    "From this time on readers no longer see the item: it leaves the listings, feeds, "
    "search and sitemaps, and its address answers “gone” (410). Left empty, it stays up."
)


class Migration(migrations.Migration):

    dependencies = [
        ('quickquotes', '0007_search_speaker'),
    ]

    operations = [
        migrations.AddField(
            model_name='quickquote',
            name='expires_at',
            field=models.DateTimeField(blank=True, help_text=HELP, null=True, verbose_name='expiry time'),
        ),
        migrations.RemoveIndex(
            model_name='quickquote',
            name='quickquotes_quickquote_pub_idx',
        ),
        migrations.AddIndex(
            model_name='quickquote',
            index=models.Index(fields=['status', 'published_at', 'id', 'expires_at'], name='quickquotes_quickquote_pub_idx'),
        ),
        migrations.AddIndex(
            model_name='quickquote',
            index=models.Index(condition=models.Q(('expires_at__isnull', False)), fields=['expires_at'], name='quickquotes_quickquote_exp_idx'),
        ),
    ]
