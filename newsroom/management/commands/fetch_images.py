"""Fetch the images the library knows by URL only (imported items' pictures)."""

from django.core.management.base import BaseCommand

from newsroom.images.fetching import report_fetch
from newsroom.models import Image


class Command(BaseCommand):
    help = "Download images waiting to be fetched into the image library; report each."

    def add_arguments(self, parser):
        parser.add_argument(
            "--retry-failed", action="store_true", help="Also try again those that failed."
        )

    def handle(self, *args, **options):
        statuses = [Image.FetchStatus.PENDING]
        if options["retry_failed"]:
            statuses.append(Image.FetchStatus.FAILED)
        report_fetch(Image.objects.filter(fetch_status__in=statuses).order_by("pk"), self)
