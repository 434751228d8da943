"""Create an editor, a moderator and a reporter account for trying the site locally (DEBUG
only)."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand

from newsroom.roles import EDITORS, MODERATORS, REPORTERS

DEMO_ACCOUNTS = [
    ("editor", "editor-demo", EDITORS),
    ("moderator", "moderator-demo", MODERATORS),
    ("reporter", "reporter-demo", REPORTERS),
]


class Command(BaseCommand):
    help = "Create demo editor, moderator and reporter accounts; print their credentials (DEBUG)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            # Well-known passwords have no place on a real site.
            self.stdout.write("Demo accounts are only created when DEBUG is on; skipped.")
            return
        User = get_user_model()
        for username, password, group in DEMO_ACCOUNTS:
            user, _created = User.objects.get_or_create(
                username=username, defaults={"is_staff": True}
            )
            user.is_staff = True
            user.set_password(password)
            user.save()
            user.groups.add(Group.objects.get(name=group))
            self.stdout.write(f"{group[:-1]}: {username} / {password}")
