"""Login throttling: the client address django-axes counts failed logins by.

Set ``AXES_CLIENT_IP_CALLABLE = "newsroom.throttling.client_address"`` so that a lockout
keys on the same address as the comment rate limits, behind trusted proxies too.
"""

from __future__ import annotations

import ipaddress

from .discussion.posting import client_ip


def client_address(request) -> str | None:
    """The client's address as ``NEWSROOM_TRUSTED_PROXIES`` says to read it, or REMOTE_ADDR
    when what the proxies sent is not an address (axes stores it in an IP address column)."""
    for candidate in (client_ip(request), request.META.get("REMOTE_ADDR", "")):
        try:
            return str(ipaddress.ip_address(candidate.strip()))
        except ValueError:
            continue
    return None
