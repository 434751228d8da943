"""Hugo-style Markdown: YAML (---), TOML (+++) or JSON ({...}) front matter, then the body.

For example the YAML line ``section: Quick Quotes`` gives ``kind="quickquote"`` (the kind
that claims that section in ``newsroom.kinds``), and
``aliases: [article/body-of-the-nation/]`` gives ``aliases=["/article/body-of-the-nation/"]``
and ``slug="body-of-the-nation"``. ``fences`` reads the front matter and finds the body,
``values`` reads dates, flags and aliases, ``fields`` maps the keys to the item's fields.
"""

from __future__ import annotations

from .fields import FORMAT, parse

__all__ = ["FORMAT", "parse"]
