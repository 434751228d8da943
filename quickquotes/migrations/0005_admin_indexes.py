"""An index for the admin list: quick quotes newest first over every status."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('newsroom', '0010_admin_indexes'),
        ('quickquotes', '0004_search_index'),
        ('taggit', '0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='quickquote',
            index=models.Index(fields=['published_at', 'id'], name='quickquotes_quickquote_ls_idx'),
        ),
    ]
