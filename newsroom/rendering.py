"""Markdown source to safe HTML: the one place any body is rendered and sanitized.

Python-Markdown does not sanitize, so its output always goes through nh3 with an allow-list.
Rendering is bounded: a text too large, nested too deeply or too slow to render is refused
with ``MarkdownRefused``, which says which limit it passed, where, and what to change.
"""

from __future__ import annotations

import html
import math
import re
import threading
import time

import nh3
from django.utils.translation import gettext as _

from . import conf
from .markdown_limits import (
    BoundedMarkdown,
    MarkdownRefused,
    OutOfTime,
    check_limits,
    too_slow,
)

ALLOWED_TAGS = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "dl",
        "dt", "em", "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img",
        "ins", "kbd", "li", "ol", "p", "picture", "pre", "q", "s", "small", "source",
        "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u",
        "ul",
    }
)  # fmt: skip

ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "blockquote": {"cite"},
    "img": {"src", "alt", "title", "width", "height", "srcset", "sizes", "loading"},
    "ol": {"start"},
    "q": {"cite"},
    "source": {"srcset", "sizes", "type"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
}

ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})
OUTBOUND_REL = "nofollow noopener"

MARKDOWN_EXTENSIONS = ["extra", "sane_lists", "smarty"]
# Building a Markdown converter costs more than most conversions: keep one per thread.
_converters = threading.local()


# nh3 serializes every start tag as `<a name="value" ...>` with double quotes and `"` inside
# values escaped, so this pattern matches whole, well-formed anchor start tags only.
_ANCHOR = re.compile(r'<a((?:\s+[\w:-]+="[^"]*")*)\s*>')
_HREF = re.compile(r'\shref="([^"]*)"')


def _mark_outbound(match: re.Match[str]) -> str:
    attributes = match.group(1)
    href = _HREF.search(attributes)
    if href and html.unescape(href.group(1)).lower().startswith(("http://", "https://")):
        return f'<a{attributes} rel="{OUTBOUND_REL}">'
    return match.group(0)


def _srcset_filter(element: str, attribute: str, value: str) -> str | None:
    """nh3 checks the scheme of ``src`` and ``href`` only: a ``srcset`` is kept when each
    of its URLs would pass as a ``src``."""
    if attribute != "srcset":
        return value
    candidates = [part.strip().split()[0] for part in value.split(",") if part.strip()]
    if candidates and all(safe_url(url) for url in candidates):
        return value
    return None


def sanitize_html(dirty: str) -> str:
    """Keep only allow-listed tags, attributes and URL schemes; mark outbound links.

    >>> sanitize_html('<a href="https://example.org" onclick="x()">x</a><script>1</script>')
    '<a href="https://example.org" rel="nofollow noopener">x</a>'
    """
    clean = nh3.clean(
        dirty,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(ALLOWED_URL_SCHEMES),
        link_rel=None,
        strip_comments=True,
        attribute_filter=_srcset_filter,
    )
    return _ANCHOR.sub(_mark_outbound, clean)


def safe_url(value: str) -> str:
    """The URL if a browser may follow it safely (http, https or a path on this site), else "".

    For URLs no form has validated, such as imported ones.

    >>> safe_url("javascript:alert(1)"), safe_url("/static/x.png"), safe_url("https://a.org")
    ('', '/static/x.png', 'https://a.org')
    """
    url = (value or "").strip()
    if url.lower().startswith(("http://", "https://")):
        return url
    if url.startswith("/") and not url.startswith(("//", "/\\")):
        return url
    return ""


# Python-Markdown looks for the end of every "[" and "<" in the rest of its paragraph, so a
# paragraph of thousands of them takes seconds to minutes (8,000 "[" took 7 s to render).
# No real paragraph has that many links or tags: past this many in one paragraph or list
# item, brackets and unclosed "<" are escaped and show as written.
SYNTAX_CHARACTER_LIMIT = 100
# Where a new paragraph, list item, heading or quote starts: Markdown's inline text runs.
_TEXT_RUN_START = re.compile(r"\n(?=[ \t]*(?:\n|[-*+>#]|\d+[.)]))")
_BRACKET = re.compile(r"[\[\]]")
_UNCLOSED_ANGLE = re.compile(r"<(?=[^<>]*(?:<|$))")


def defuse_markdown(source: str) -> str:
    """Escape the syntax characters of text runs that have too many to render in time.

    >>> len(defuse_markdown("[" * 101)), defuse_markdown("[a](https://a.org)")
    (202, '[a](https://a.org)')
    """
    limit = SYNTAX_CHARACTER_LIMIT
    if source.count("[") <= limit and source.count("<") <= limit:
        return source
    runs = _TEXT_RUN_START.split(source)
    for index, run in enumerate(runs):
        if run.count("[") > limit:
            run = _BRACKET.sub(r"\\\g<0>", run)
        if run.count("<") > limit:
            run = _UNCLOSED_ANGLE.sub("&lt;", run)
        runs[index] = run
    return "\n".join(runs)


# Where lists and quotes open, after a line's indentation: ">" (with the one space after it
# that Python-Markdown strips), or a list marker followed by blanks.
def render_markdown(source: str, *, library_images: bool = True) -> str:
    """Render Markdown to sanitized HTML; raise ``MarkdownRefused`` past a limit.

    Library images (``![alt](image:42)``, see ``newsroom.images.references``) are placed
    from the database; with ``library_images=False`` (where no database is at hand) they
    are left out, and the caller renders the body again where it is.

    >>> render_markdown("Hello *world* <img src=x onerror=alert(1)>")
    '<p>Hello <em>world</em> <img src="x"></p>'
    """
    if not source or not source.strip():
        return ""
    check_limits(source, defuse_markdown)
    converter = getattr(_converters, "markdown", None)
    if converter is None:
        converter = BoundedMarkdown(extensions=MARKDOWN_EXTENSIONS, output_format="html")
        _converters.markdown = converter
    seconds = conf.get("MARKDOWN_SECONDS")
    converter.deadline.at = time.monotonic() + seconds
    try:
        rendered = converter.reset().convert(defuse_markdown(source))
    except (OutOfTime, RecursionError) as error:
        # Stopped halfway, the converter's parser keeps state of this document: drop it.
        _converters.markdown = None
        if isinstance(error, OutOfTime):
            raise too_slow(seconds) from None
        # The nesting limits keep Python-Markdown far from the recursion limit; this is
        # the last line, should some construct they do not count still recurse.
        raise MarkdownRefused(
            "too_deep",
            _(
                "the text nests too deeply to render (lists, quotes or HTML blocks inside "
                "each other); take out levels of nesting"
            ),
        ) from None
    finally:
        converter.deadline.at = math.inf
    if library_images:
        from .images.references import place_images

        rendered = place_images(rendered)
    return sanitize_html(rendered)
