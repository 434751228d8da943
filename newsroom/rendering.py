"""Markdown source to safe HTML: the one place any body is rendered and sanitized.

Python-Markdown does not sanitize, so its output always goes through nh3 with an allow-list.
"""

from __future__ import annotations

import html
import re
import threading

import markdown
import nh3

ALLOWED_TAGS = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "dl",
        "dt", "em", "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img",
        "ins", "kbd", "li", "ol", "p", "pre", "q", "s", "small", "strong", "sub", "sup",
        "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
    }
)  # fmt: skip

ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "blockquote": {"cite"},
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start"},
    "q": {"cite"},
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


def render_markdown(source: str) -> str:
    """Render Markdown to sanitized HTML.

    >>> render_markdown("Hello *world* <img src=x onerror=alert(1)>")
    '<p>Hello <em>world</em> <img src="x"></p>'
    """
    if not source or not source.strip():
        return ""
    converter = getattr(_converters, "markdown", None)
    if converter is None:
        converter = markdown.Markdown(extensions=MARKDOWN_EXTENSIONS, output_format="html")
        _converters.markdown = converter
    rendered = converter.reset().convert(defuse_markdown(source))
    return sanitize_html(rendered)
