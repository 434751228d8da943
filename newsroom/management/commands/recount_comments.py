"""Count every article's approved comments again, from the comments themselves.

The counts (``CommentCount``) are kept by database triggers and should never need this; it
is there to check them (``--check`` changes nothing and says which differ) and to put them
right after something the triggers could not see, such as a restore of the comment table
alone.
"""

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.db.models import Count, Q

from newsroom.models import Comment, CommentCount


class Command(BaseCommand):
    help = "Recount each article's approved comments (--check: only report the differences)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="Report the counts that differ; change nothing."
        )

    def handle(self, *args, check: bool = False, **options):
        with transaction.atomic():
            if connection.vendor == "postgresql" and not check:
                # No comment is written while the counts are replaced.
                with connection.cursor() as cursor:
                    cursor.execute("LOCK TABLE newsroom_comment IN SHARE ROW EXCLUSIVE MODE")
            counted = {
                row["article"]: (row["approved"], row["top"])
                for row in Comment.objects.filter(status=Comment.Status.APPROVED, kind="comment")
                .order_by()
                .values("article")
                .annotate(approved=Count("pk"), top=Count("pk", filter=Q(parent=None)))
            }
            kept = {
                article: (approved, top)
                for article, approved, top in CommentCount.objects.values_list(
                    "article", "approved", "approved_top"
                )
            }
            wrong = sorted(
                article
                for article in counted.keys() | kept.keys()
                if counted.get(article, (0, 0)) != kept.get(article, (0, 0))
            )
            for article in wrong:
                self.stdout.write(
                    f"article {article}: kept {kept.get(article, (0, 0))}, "
                    f"counted {counted.get(article, (0, 0))} (approved, not replies)"
                )
            if not check and wrong:
                CommentCount.objects.filter(article__in=wrong).delete()
                CommentCount.objects.bulk_create(
                    CommentCount(article_id=article, approved=approved, approved_top=top)
                    for article, (approved, top) in counted.items()
                    if article in wrong
                )
        verb = "differ" if check else "put right"
        self.stdout.write(f"{len(wrong)} of {len(counted | kept)} articles' counts {verb}.")
