"""The Content-Security-Policy and Permissions-Policy headers, on every response.

Both policies are settings (``NEWSROOM_CONTENT_SECURITY_POLICY``,
``NEWSROOM_PERMISSIONS_POLICY``); the header text is built once per policy, not per request.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from . import conf

CSP_HEADER = "Content-Security-Policy"
PERMISSIONS_HEADER = "Permissions-Policy"


def content_security_policy(policy: Mapping[str, Sequence[str]]) -> str:
    """The header text of a policy given as {directive: [source, ...]}.

    >>> content_security_policy({"default-src": ["'self'"], "object-src": ["'none'"]})
    "default-src 'self'; object-src 'none'"
    """
    return "; ".join(" ".join([name, *sources]) for name, sources in policy.items())


def permissions_policy(policy: Mapping[str, Sequence[str]]) -> str:
    """The header text of a policy given as {feature: [origin, ...]}; [] turns a feature off.

    >>> permissions_policy({"camera": [], "fullscreen": ["self"]})
    'camera=(), fullscreen=(self)'
    """
    return ", ".join(f"{name}=({' '.join(origins)})" for name, origins in policy.items())


class PolicyHeadersMiddleware:
    """Add both policies to every response that does not already carry its own.

    List it before ``PageCacheMiddleware`` (and before WhiteNoise): middleware after that
    one never sees a cached page.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response
        self._built: tuple[object, object, str, str] | None = None

    def headers(self) -> tuple[str, str]:
        csp, permissions = conf.get("CONTENT_SECURITY_POLICY"), conf.get("PERMISSIONS_POLICY")
        built = self._built
        # Rebuilt only when the settings are other objects (tests override them).
        if built is None or built[0] is not csp or built[1] is not permissions:
            built = (
                csp,
                permissions,
                content_security_policy(csp),
                permissions_policy(permissions),
            )
            self._built = built
        return built[2], built[3]

    def __call__(self, request):
        response = self.get_response(request)
        csp, permissions = self.headers()
        if csp:
            response.headers.setdefault(CSP_HEADER, csp)
        if permissions:
            response.headers.setdefault(PERMISSIONS_HEADER, permissions)
        return response
