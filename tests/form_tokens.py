"""Comment form tokens for tests that post comments."""

from __future__ import annotations

import time

from newsroom.forms import form_token

_last_second: float | None = None


def sent_form_token(article, age: float = 10) -> str:
    """The token of a form handed out at least ``age`` seconds ago: another one on each
    call, since each client may send each token once (as a reader who loads the page
    again). Tokens are signed per second: each call takes a second before the last."""
    global _last_second
    second = int(time.time() - age)
    if _last_second is not None and second - 3600 < _last_second <= second:
        second = _last_second - 1
    _last_second = second
    return form_token(article, now=second)
