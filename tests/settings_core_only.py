"""Settings with Newsroom alone installed, without quickquotes: the core app stands on its
own (tests/test_core_only.py runs a fresh process with them).
"""

from __future__ import annotations

from tests.settings import *  # noqa: F403
from tests.settings import INSTALLED_APPS

INSTALLED_APPS = [app for app in INSTALLED_APPS if app != "quickquotes"]
ROOT_URLCONF = "tests.urls_core_only"
