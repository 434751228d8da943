"""An index for comment pages: the top level of an article's comments by offset, counts from the index."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('newsroom', '0008_search_index'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='comment',
            index=models.Index(fields=['article', 'status', 'kind', 'parent', 'submitted_at'], name='comment_page_idx'),
        ),
    ]
