"""Comment form tokens for tests that post comments."""

from __future__ import annotations

import time

from newsroom.discussion.forms import form_token


def sent_form_token(article, age: float = 10) -> str:
    """The token of a form handed out ``age`` seconds ago (each call another one: each
    token is taken once)."""
    return form_token(article, now=time.time() - age)
