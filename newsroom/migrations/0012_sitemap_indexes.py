"""Indexes for the sitemap: a part's window of published items from the index alone,
and the last change for the index's lastmod."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('newsroom', '0011_comment_thread_index'),
        ('taggit', '0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='article',
            name='newsroom_article_pub_idx',
        ),
        migrations.AddIndex(
            model_name='article',
            index=models.Index(fields=['status', 'published_at', 'id'], name='newsroom_article_pub_idx'),
        ),
        migrations.AddIndex(
            model_name='article',
            index=models.Index(fields=['updated_at'], name='newsroom_article_upd_idx'),
        ),
    ]
