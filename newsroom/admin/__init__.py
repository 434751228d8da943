"""The admin, split by audience: publishing for editors, moderation for moderators.

Importing the modules registers their screens when Django's autodiscovery imports this package.
"""

from __future__ import annotations

from . import frontpage, images, moderation, publishing, redaction, shared

__all__ = ["frontpage", "images", "moderation", "publishing", "redaction", "shared"]
