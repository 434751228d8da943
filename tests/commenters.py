"""A browser that has confirmed a commenter's address, for tests of trusted posting."""

from __future__ import annotations

from django.core import signing

from newsroom.discussion import confirmation
from newsroom.models import ConfirmedAddress


def confirm_in(client, email: str) -> None:
    """What following the confirmation link leaves: the address confirmed, and the
    browser's signed cookie naming it."""
    digest = confirmation.address_hash(email)
    ConfirmedAddress.objects.get_or_create(address_hash=digest)
    client.cookies[confirmation.COOKIE_NAME] = signing.dumps(digest, salt=confirmation.COOKIE_SALT)
