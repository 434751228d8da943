"""The admin screens, for editors and moderators.

Importing the modules registers their screens when Django's autodiscovery imports this package.
"""

from __future__ import annotations

from . import publishing

__all__ = ["publishing"]
