"""The bounds on rendering Markdown: size, nesting depth and a time budget per document.

They are checked before Python-Markdown runs (size, depth) and while it runs (a deadline
checked at every processing step); past one, ``MarkdownRefused`` says which, where and what
to change.
"""

from __future__ import annotations

import math
import re
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import markdown
from django.utils.translation import gettext as _

from . import conf


class MarkdownRefused(ValueError):
    """A text the renderer will not render: too large, nested too deeply, or too slow.

    ``code`` is "too_large", "too_deep" or "too_slow"; ``line`` the line of the text where
    the limit was passed, when known. ``str()`` is the whole message, for a person.
    """

    def __init__(self, code: str, problem: str, line: int | None = None) -> None:
        self.code = code
        self.problem = problem
        self.line = line
        super().__init__(self.message())

    def message(self, first_line: int | None = 1) -> str:
        """The message, with the line counted from ``first_line`` (None: "of the body")."""
        if self.line is None:
            return self.problem
        if first_line is None:
            where = _("line %(line)d of the body") % {"line": self.line}
        else:
            where = _("line %(line)d") % {"line": self.line + first_line - 1}
        return f"{where}: {self.problem}"


class OutOfTime(Exception):
    """Raised inside Python-Markdown once the document's time budget is spent."""


class Deadline:
    """When the document being converted must be done (infinity: no document)."""

    __slots__ = ("at",)

    def __init__(self) -> None:
        self.at = math.inf

    def check(self) -> None:
        if time.monotonic() > self.at:
            raise OutOfTime

    def guard(self, method: Callable[..., Any]) -> Callable[..., Any]:
        def guarded(*args: Any, **kwargs: Any) -> Any:
            self.check()
            return method(*args, **kwargs)

        return guarded


class BoundedMarkdown(markdown.Markdown):
    """Python-Markdown that stops when its deadline passes.

    Python-Markdown is pure Python, and a signal can only interrupt the main thread, so
    the deadline is checked where the work happens: before every preprocessor, block
    processor test and run (called once per block, at every level of nesting), tree
    processor, inline pattern search and match, the serializer and every postprocessor.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.deadline = Deadline()
        guard = self.deadline.guard
        for stage in (*self.preprocessors, *self.treeprocessors, *self.postprocessors):
            stage.run = guard(stage.run)
        for processor in self.parser.blockprocessors:
            processor.test = guard(processor.test)
            processor.run = guard(processor.run)
        patterns = {}
        for stage in self.treeprocessors:  # "inline", and smarty's own inline processor
            for pattern in getattr(stage, "inlinePatterns", ()):
                patterns[id(pattern)] = pattern
        for pattern in patterns.values():
            pattern.getCompiledRegExp = guard(pattern.getCompiledRegExp)
            pattern.handleMatch = guard(pattern.handleMatch)
        self.serializer = guard(self.serializer)


_INDENT = re.compile(r"[ \t]*")
_CONTAINER = re.compile(r">[ ]?|(?:[*+-]|\d{1,9}[.)])(?:[ \t]+|$)")
# Python-Markdown's horizontal rule: "* * *" is a rule, not three nested lists.
_RULE = re.compile(r"(?:(?:\*[ ]{0,2}){3,}|(?:-[ ]{0,2}){3,})[ \t]*")


def _columns(whitespace: str) -> int:
    return len(whitespace.expandtabs(4))


def _line_depth(line: str, open_depth: int, limit: int) -> int:
    """How deep the containers of one line nest (counting stops past ``limit``).

    Indentation continues only containers that are open already (Python-Markdown attaches
    an indented block to the list above it, or else makes it code); each marker opens one.
    """
    indent = _INDENT.match(line)
    depth = min(_columns(indent.group()) // 4, open_depth)
    position = indent.end()
    last = line.rstrip()[-1:]
    while depth <= limit:
        marker = _CONTAINER.match(line, position)
        if marker is None:
            break
        if line[position] == last and _RULE.fullmatch(line, position):
            break
        depth += 1
        position = marker.end()
        if line[marker.start()] == ">":  # inside a quote, indentation is nesting again
            indent = _INDENT.match(line, position)
            depth += _columns(indent.group()) // 4
            position = indent.end()
    return depth


def deepest_nesting(source: str, limit: int) -> tuple[int, int]:
    r"""The depth of nested lists and quotes and its line; the first line past ``limit``.

    One pass over the lines, before Python-Markdown (which recurses once per level) runs.

    >>> deepest_nesting("* a\n    * b\n\n> > quoted\n\n        code", limit=20)
    (2, 2)
    >>> deepest_nesting("* " * 500 + "deep", limit=20)
    (21, 1)
    """
    deepest, deepest_line = 0, 0
    open_depth, after_blank = 0, True
    lines = source.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for number, line in enumerate(lines, 1):
        if not line.strip():
            after_blank = True
            continue
        depth = _line_depth(line, open_depth, limit)
        if depth > deepest:
            deepest, deepest_line = depth, number
            if depth > limit:
                break
        # A block (the lines between blank lines) keeps what it opened; the next one
        # starts from its own first line.
        open_depth = depth if after_blank else max(open_depth, depth)
        after_blank = False
    return deepest, deepest_line


# Start and end tags of raw HTML. html5ever (inside nh3) takes time proportional to the
# depth of open elements for each block-level tag: 30,000 nested <div> took 5 s.
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)")
# Elements that never hold others, or that the next one of their kind closes (<p>, <a>).
_NOT_NESTING = frozenset(
    {
        "a", "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
        "source", "track", "wbr", "p", "li", "dt", "dd", "option", "optgroup", "tr", "td",
        "th", "thead", "tbody", "tfoot", "rb", "rt", "rp", "colgroup",
    }
)  # fmt: skip


def deepest_html(source: str, limit: int) -> tuple[int, int]:
    r"""How many raw HTML elements are open at once, at most, and on which line.

    Counted per element name, as a browser's parser does not close an element at an end
    tag of another name; counting stops past ``limit``.

    >>> deepest_html("<div><div>\n<div></div></div>", limit=2)
    (3, 2)
    """
    if source.count("<") <= limit:
        return 0, 0
    open_tags: Counter[str] = Counter()
    depth = deepest = position = 0
    for tag in _TAG.finditer(source):
        name = tag.group(2).lower()
        if name in _NOT_NESTING:
            continue
        if not tag.group(1):
            open_tags[name] += 1
            depth += 1
            if depth > deepest:
                deepest, position = depth, tag.start()
                if depth > limit:
                    break
        elif open_tags[name]:
            open_tags[name] -= 1
            depth -= 1
    return deepest, (source.count("\n", 0, position) + 1 if deepest else 0)


def check_limits(source: str, defuse: Callable[[str], str]) -> None:
    r"""Refuse a text too large or nested too deeply to render (cheap, linear, no parsing).

    >>> try:
    ...     check_limits("Intro\n\n" + "* " * 500 + "deep", defuse=str)
    ... except MarkdownRefused as refused:
    ...     print(refused.code, refused.line)
    too_deep 3
    """
    limit = conf.get("MARKDOWN_MAX_BYTES")
    size = len(source.encode("utf-8", "surrogatepass"))
    if size > limit:
        raise MarkdownRefused(
            "too_large",
            _(
                "the text is %(size)s bytes long, more than the %(limit)s allowed "
                "(NEWSROOM_MARKDOWN_MAX_BYTES); shorten it or split it into several parts"
            )
            % {"size": f"{size:,}", "limit": f"{limit:,}"},
        )
    limit = conf.get("MARKDOWN_MAX_DEPTH")
    depth, line = deepest_nesting(source, limit)
    if depth > limit:
        raise MarkdownRefused(
            "too_deep",
            _(
                "lists and quotes nest more than %(limit)s levels deep here "
                "(NEWSROOM_MARKDOWN_MAX_DEPTH); take out levels of nesting (list markers, "
                "“>” or indentation) from this line on"
            )
            % {"limit": limit},
            line,
        )
    # What ``defuse`` (the renderer's defuse_markdown) escapes is text, not tags.
    depth, line = deepest_html(defuse(source), limit)
    if depth > limit:
        raise MarkdownRefused(
            "too_deep",
            _(
                "more than %(limit)s HTML elements are open at once here "
                "(NEWSROOM_MARKDOWN_MAX_DEPTH); close them (“</div>”) or remove them"
            )
            % {"limit": limit},
            line,
        )


def too_slow(seconds: float) -> MarkdownRefused:
    return MarkdownRefused(
        "too_slow",
        _(
            "rendering took longer than the %(seconds)s seconds allowed "
            "(NEWSROOM_MARKDOWN_SECONDS); split the text into several parts, or simplify "
            "its lists, quotes, links and HTML"
        )
        % {"seconds": seconds},
    )
