import html as html_lib
import re
from html.parser import HTMLParser

import pytest

from newsroom.rendering import SYNTAX_CHARACTER_LIMIT, render_markdown, sanitize_html
from tests.xss_vectors import VECTORS

XSS_VECTORS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '<img src="x" onerror="alert(1)">',
    "<img src=x onerror=alert(1)//",
    '<a href="javascript:alert(1)">click</a>',
    '<a href="JaVaScRiPt:alert(1)">click</a>',
    '<a href="java&#x09;script:alert(1)">click</a>',
    '<a href=" javascript:alert(1)">click</a>',
    "[click](javascript:alert(1))",
    '[click](javascript&#58;alert(1) "t")',
    "![x](javascript:alert(1))",
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    "[x](data:text/html,<script>alert(1)</script>)",
    '<img src="data:image/svg+xml,<svg onload=alert(1)>">',
    '<svg onload="alert(1)"><circle r="10"/></svg>',
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    '<iframe src="https://evil.example"></iframe>',
    '<object data="evil.swf"></object>',
    '<embed src="evil.swf">',
    '<body onload="alert(1)">',
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<p style="x:expression(alert(1))">x</p>',
    '<form action="https://evil.example"><input name="q"><button>go</button></form>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    '<base href="https://evil.example/">',
    '<details open ontoggle="alert(1)">x</details>',
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<<script>script>alert(1)<</script>/script>",
    '<img """><script>alert(1)</script>">',
    '<a href="https://ok.example" onmouseover="alert(1)">ok</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    "<style>body{display:none}</style>",
    "<template><script>alert(1)</script></template>",
    "<!--<script>alert(1)</script>-->",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
]

FORBIDDEN_TAGS = {
    "script", "svg", "math", "iframe", "object", "embed", "style", "form", "meta", "base",
    "link", "input", "button", "select", "textarea", "details", "video", "audio", "template",
}  # fmt: skip
BAD_SCHEME = re.compile(r"^\s*(javascript|vbscript|data):", re.IGNORECASE)


class ElementCollector(HTMLParser):
    """What a browser would build from the HTML: the elements and their attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in FORBIDDEN_TAGS:
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                self.problems.append(f"{name}= on <{tag}>")
            if name in {"href", "src", "action", "formaction"} and BAD_SCHEME.match(value or ""):
                self.problems.append(f"{name}={value}")


@pytest.mark.parametrize("vector", list(dict.fromkeys(XSS_VECTORS + VECTORS)))
def test_xss_vectors_render_inert(vector):
    collector = ElementCollector()
    collector.feed(render_markdown(vector))
    assert collector.problems == [], render_markdown(vector)


def test_the_checker_sees_what_a_browser_would_run():
    collector = ElementCollector()
    collector.feed('<p><img src="x" onerror="alert(1)"><a href=" javascript:x">y</a></p>')
    assert collector.problems == ["onerror= on <img>", "href= javascript:x"]


def test_markdown_is_rendered():
    html = render_markdown("# Title\n\nSome *emphasis* and **strong** text.\n\n* one\n* two")
    assert "<em>emphasis</em>" in html
    assert "<strong>strong</strong>" in html
    assert "<li>one</li>" in html


def test_outbound_links_get_rel_and_internal_links_do_not():
    html = render_markdown("[out](https://example.org/a?b=1&c=2) and [in](/articles/x/)")
    assert '<a href="https://example.org/a?b=1&amp;c=2" rel="nofollow noopener">out</a>' in html
    assert '<a href="/articles/x/">in</a>' in html


def test_author_supplied_rel_is_replaced():
    html = sanitize_html('<a href="https://example.org" rel="author">x</a>')
    assert html == '<a href="https://example.org" rel="nofollow noopener">x</a>'


def test_mailto_links_are_kept():
    html = render_markdown("[write](mailto:desk@example.org)")
    assert 'href="mailto:desk@example.org"' in html


def test_title_with_angle_bracket_keeps_tag_intact():
    html = sanitize_html('<a href="https://example.org" title="a > b">x</a>')
    assert 'rel="nofollow noopener"' in html
    assert 'title="a &gt; b"' in html


def test_images_and_tables_survive():
    html = render_markdown(
        "![A cat](https://img.example/cat.jpg)\n\n| a | b |\n|---|---|\n| 1 | 2 |"
    )
    assert '<img alt="A cat" src="https://img.example/cat.jpg">' in html
    assert "<table>" in html and "<td>1</td>" in html


def test_empty_source_renders_empty():
    assert render_markdown("") == ""
    assert render_markdown("   \n") == ""


def test_docstring_examples_hold():
    import doctest

    from newsroom import rendering

    assert doctest.testmod(rendering).failed == 0


@pytest.mark.parametrize(
    ("source", "shown"),
    [
        ("[" * 8000, "[" * 8000),
        ("[" * 3000 + "]" * 3000, "[" * 3000 + "]" * 3000),
        ("[\n" * 3000, "[\n" * 2999 + "["),
        ("<a " * 8000, "<a " * 7999 + "<a"),
    ],
)
def test_runs_of_syntax_characters_show_as_written(source, shown):
    # Python-Markdown is quadratic on these (8,000 "[" took 7 s); escaped, they are text.
    html = render_markdown(source)
    assert html.startswith("<p>") and "<a " not in html and "href" not in html
    assert html_lib.unescape(html.removeprefix("<p>").removesuffix("</p>")).strip() == shown


def test_many_links_in_separate_list_items_still_render():
    source = "\n".join(f"* [link {i}](https://example.org/{i})" for i in range(300))
    assert render_markdown(source).count('<a href="https://example.org/') == 300
    paragraph = " ".join(f"[a](/x/{i})" for i in range(SYNTAX_CHARACTER_LIMIT))
    assert render_markdown(paragraph).count('<a href="/x/') == SYNTAX_CHARACTER_LIMIT
