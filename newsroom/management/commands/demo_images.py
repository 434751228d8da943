"""``demo_images PICTURE``: give the demo's items a picture of the demo's own, so that the
demo site shows images with no outside server (DEBUG only)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from newsroom import kinds
from newsroom.images import library, processing

ALT_TEXT = "A drawing of hills under a low sun, a road running between them"
CREDIT = "Newsroom demo"


class Command(BaseCommand):
    help = "Show PICTURE on items whose own picture is not stored here (DEBUG only)."

    def add_arguments(self, parser):
        parser.add_argument("picture", help="A JPEG, PNG, WebP or GIF file.")

    def handle(self, *args, **options):
        if not settings.DEBUG:
            self.stdout.write("Demo images are only set when DEBUG is on; skipped.")
            return
        try:
            data = Path(options["picture"]).read_bytes()
            image, _new = library.add(data, alt_text=ALT_TEXT, credit=CREDIT)
        except (OSError, processing.ImageRefused) as error:
            raise CommandError(f"{options['picture']}: {error}") from None
        # Items with no picture, or one still at the old site's address: a demo machine
        # may have no network. The library keeps those addresses for fetch_images.
        not_here = Q(featured_image=None) | Q(featured_image__file="")
        changed = sum(
            kind.model.objects.filter(not_here).update(featured_image=image)
            for kind in kinds.registered()
        )
        self.stdout.write(
            f"Demo picture: image #{image.pk} on {changed} items without a stored picture "
            "(manage.py fetch_images fetches the archive's own where the network allows)."
        )
