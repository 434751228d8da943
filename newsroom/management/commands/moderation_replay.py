"""Re-run the current moderation policy over recent comments and report what would change."""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from newsroom.discussion.policy import get_policy
from newsroom.importing.report import printable
from newsroom.models import Comment


class Command(BaseCommand):
    help = (
        "Judge recent comments again with the current policy and list the decisions it "
        "would change. Changes nothing: try a new word list before switching it on."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, default=7, help="How far back to look (default: 7)."
        )

    def handle(self, *args, days: int, **options):
        policy = get_policy()
        since = timezone.now() - timedelta(days=days)
        recent = (
            # A redacted comment's text is in the log, not the row: there is nothing to judge.
            Comment.objects.filter(submitted_at__gte=since, redacted_at__isnull=True)
            .select_related("article", "decided_by")
            .order_by("submitted_at", "pk")
        )
        checked = differ = 0
        for comment in recent.iterator(chunk_size=500):
            checked += 1
            verdict = policy.check(comment, imported=comment.position is not None)
            if verdict.status == comment.status:
                continue
            differ += 1
            decided = (
                f"a moderator ({comment.decided_by.get_username()})"
                if comment.decided_by
                else f"rule {comment.decided_rule or 'unknown'}"
            )
            # Readers' words (the name, the matched text) reach the terminal escaped.
            self.stdout.write(
                printable(
                    f"#{comment.pk} by {comment.author_name} on “{comment.article.title}”: "
                    f"{comment.status} (decided by {decided}) → {verdict.status}: "
                    f"{verdict.summary}"
                )
            )
        self.stdout.write(
            f"Checked {checked} comments from the last {days} days: "
            f"{differ} would be decided differently."
        )
