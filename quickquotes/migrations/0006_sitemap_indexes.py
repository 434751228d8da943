"""Indexes for the sitemap: a part's window of published items from the index alone,
and the last change for the index's lastmod."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('newsroom', '0012_sitemap_indexes'),
        ('quickquotes', '0005_admin_indexes'),
        ('taggit', '0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='quickquote',
            name='quickquotes_quickquote_pub_idx',
        ),
        migrations.AddIndex(
            model_name='quickquote',
            index=models.Index(fields=['status', 'published_at', 'id'], name='quickquotes_quickquote_pub_idx'),
        ),
        migrations.AddIndex(
            model_name='quickquote',
            index=models.Index(fields=['updated_at'], name='quickquotes_quickquote_upd_idx'),
        ),
    ]
