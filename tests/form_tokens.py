"""Comment form tokens for tests that post comments."""

from __future__ import annotations

import itertools
import time

from newsroom.forms import form_token

_earlier = itertools.count()


def sent_form_token(article, age: float = 10) -> str:
    """The token of a form handed out about ``age`` seconds ago: another one on each call,
    since each client may send each token once (as a reader who loads the page again)."""
    return form_token(article, now=time.time() - age - next(_earlier) % 3600)
