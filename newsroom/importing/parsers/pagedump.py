"""Plain-text dumps of scraped news pages: title, caption, dateline, body, policy, comments.

For example the paragraph ``BAKU—It’s a first.`` gives ``dateline="BAKU"`` and the body
``It’s a first.``; the line ``  3. Armenan said:`` starts
``ParsedComment(position=3, kind="comment", author_name="Armenan")``.
"""

from __future__ import annotations

import html
import re
import textwrap
from datetime import tzinfo

import nh3
from django.utils.text import slugify

from ..cleaning import clean_body, excerpt
from ..records import ParsedComment, ParsedItem, ParseError, Problem, fallback_slug

FORMAT = "pagedump"
POLICY_HEADING = "Discussion Policy"
CAPTION_MAX_CHARS = 200
HEADING_MAX_CHARS = 80
HEADING_MAX_WORDS = 12
SLUG_LENGTH = 200
COMMENT_POSITION_MAX = 2_147_483_647  # the largest number every database stores as an integer

_DATELINE = re.compile(r"^([A-Z][A-Z.,'’ -]*[A-Z.](?:\s*\([^()]*\))?)\s*(?:—|--)\s*")
# Comment headers are indented; a numbered list inside a comment is indented further.
# What follows the number is read by comment_header(): a regular expression that also
# found "said:" backtracked for minutes over a long run of spaces.
_COMMENT = re.compile(r"^(?P<indent> +)(?P<position>\d+)\.\s++(?P<rest>\S.*)$")
_PING_KINDS = ("Pingback", "Trackback")
_SAID = "said:"
_SENTENCE_END = ".!?:;,…"
_CLOSING = "\"”’')]"
_INLINE_SPECIAL = re.compile(r"([\\`*_])")
# A "[" and the text up to the next "]": every "[" in it opens a link if that "]" is
# followed by "(" or "[". Matching the run once keeps "[[[[..." lines linear.
_LINK_OPENING = re.compile(r"\[[^\]]*+")
_ORDERED_ITEM = re.compile(r"^(\d+)\.(?=\s|$)")
_BLOCK_MARKER = re.compile(r"^([#>]|[-+](?=\s|[-+]*$))")
# An HTML tag or comment: "<b>", "</script>", "<!--".
_MARKUP = re.compile(r"<(?:/?[A-Za-z][^<>]*|!--[^<>]*)>")


def to_markdown_line(line: str) -> str:
    """Escape plain text so that Markdown shows it as written.

    >>> to_markdown_line("1. Use *all* <b>caps</b>")
    '1\\\\. Use \\\\*all\\\\* &lt;b>caps&lt;/b>'
    """
    line = _INLINE_SPECIAL.sub(r"\\\1", line).replace("<", "&lt;")
    line = _LINK_OPENING.sub(_escape_link_opening, line)
    line = _ORDERED_ITEM.sub(r"\1\\.", line)
    return _BLOCK_MARKER.sub(r"\\\1", line)


def _escape_link_opening(match: re.Match[str]) -> str:
    run = match.group(0)
    opens_link = match.string.startswith(("](", "]["), match.end())
    return run.replace("[", "\\[") if opens_link else run


def comment_header(line: str) -> tuple[str, str, str, str] | None:
    """Return (indent, number, kind, author or source) of a comment's first line, else None.

    >>> comment_header("  3. Armenan said:"), comment_header("  11. Pingback: Passportdiva")
    (('  ', '3', 'comment', 'Armenan'), ('  ', '11', 'pingback', 'Passportdiva'))
    """
    match = _COMMENT.match(line)
    if match is None:
        return None
    rest = match["rest"].rstrip()
    kind, _, source = rest.partition(":")
    if kind in _PING_KINDS and source.strip():
        return match["indent"], match["position"], kind.lower(), source.strip()
    author = rest.removesuffix(_SAID)
    if author != rest and author[-1:].isspace() and author.strip():
        return match["indent"], match["position"], "comment", author.strip()
    return None


def is_subheading(line: str) -> bool:
    """A short, capitalised line that does not end like a sentence.

    >>> is_subheading("Aliyev Claims “Armenians In Panic”"), is_subheading("He said “no.”")
    (True, False)
    """
    core = line.rstrip(_CLOSING)
    first_letter = next((c for c in line if c.isalpha()), "")
    return (
        len(line) < HEADING_MAX_CHARS
        and len(line.split()) < HEADING_MAX_WORDS
        and bool(core)
        and core[-1] not in _SENTENCE_END
        and first_letter.isupper()
    )


def _blocks(lines: list[str]) -> list[list[str]]:
    """Runs of non-blank lines, each line stripped."""
    blocks: list[list[str]] = [[]]
    for line in lines:
        if line.strip():
            blocks[-1].append(line.strip())
        elif blocks[-1]:
            blocks.append([])
    return [block for block in blocks if block]


def _paragraphs(lines: list[str]) -> str:
    """Indented plain text without its common indentation, paragraphs separated by a blank line."""
    text = textwrap.dedent("\n".join(line.rstrip() for line in lines))
    return "\n\n".join(p.strip("\n") for p in re.split(r"\n\s*\n", text) if p.strip())


def _body(blocks: list[list[str]]) -> tuple[str, str, str]:
    """Return the caption, the dateline and the Markdown body of the article's blocks."""
    caption = ""
    if (
        len(blocks) > 1
        and len(blocks[0]) == 1
        and len(blocks[0][0]) <= CAPTION_MAX_CHARS
        and not _DATELINE.match(blocks[0][0])
        and _DATELINE.match(blocks[1][0])
    ):
        caption = blocks.pop(0)[0]
    dateline = ""
    if blocks and (match := _DATELINE.match(blocks[0][0])):
        dateline = match.group(1)
        blocks[0][0] = blocks[0][0][match.end() :]
    parts = []
    for index, block in enumerate(blocks):
        followed = len(block) > 1 or index < len(blocks) - 1
        # A subheading can run straight into its paragraph, but not into another short line.
        if (
            index
            and followed
            and is_subheading(block[0])
            and (len(block) == 1 or not is_subheading(block[1]))
        ):
            parts.append("## " + to_markdown_line(block[0]))
            block = block[1:]
        if block:
            parts.append("  \n".join(to_markdown_line(line) for line in block))
    return caption, dateline, "\n\n".join(parts)


def _position(number: str, line: int, problems: list[Problem]) -> int | None:
    # Compared as text first: int() refuses numbers of more than 4300 digits.
    digits = number.lstrip("0") or "0"
    if len(digits) <= len(str(COMMENT_POSITION_MAX)) and int(digits) <= COMMENT_POSITION_MAX:
        return int(digits)
    problems.append(
        Problem(
            f"comment number {excerpt(number, 20)} is larger than {COMMENT_POSITION_MAX}; "
            "the comment was imported without a number. Check the numbering of the comments",
            line=line,
        )
    )
    return None


def _comments(lines: list[str], start: int) -> tuple[list[ParsedComment], list[Problem]]:
    indent = lines[start][: len(lines[start]) - len(lines[start].lstrip(" "))]
    headers = [
        (index, header)
        for index in range(start, len(lines))
        if (header := comment_header(lines[index])) and header[0] == indent
    ]
    ends = [index for index, _ in headers[1:]] + [len(lines)]
    comments = []
    problems: list[Problem] = []
    for (index, (_, number, kind, author)), end in zip(headers, ends, strict=True):
        body = _paragraphs(lines[index + 1 : end])
        if kind != "comment":  # the source of a pingback leads its text
            body = "\n\n".join(part for part in (author, body) if part)
        comments.append(
            ParsedComment(
                position=_position(number, index + 1, problems),
                kind=kind,
                author_name=author,
                body=body,
                line=index + 1,
            )
        )
    return comments, problems


def parse(path: str, text: str, *, tz: tzinfo) -> ParsedItem:
    """Parse one page dump (already decoded, with '\\n' line endings); tz is unused: no dates."""
    # Cleaning keeps every line in place, so line numbers stay the file's for all parts.
    text, warnings = clean_body(text)
    lines = text.split("\n")
    title_index = next((i for i, line in enumerate(lines) if line.strip()), None)
    if title_index is None:
        raise ParseError(
            path,
            Problem(
                "the file is empty; a page dump starts with the page title on its first line",
                line=1,
                field="title",
            ),
        )
    title = lines[title_index].strip()
    slug_problems = []
    if _MARKUP.search(title):
        text = " ".join(html.unescape(nh3.clean(title, tags=set())).split())
        slug_problems.append(
            Problem(
                f"the title holds HTML markup ({excerpt(title)!r}); kept as its text, "
                f"{excerpt(text)!r}. Check the title in the admin",
                title_index + 1,
                "title",
            )
        )
        title = text
    if not title:
        raise ParseError(
            path,
            Problem(
                "the title is only markup, with no text; put the page title on the first line",
                line=title_index + 1,
                field="title",
            ),
        )
    slug = slugify(title)[:SLUG_LENGTH]
    if not slug:
        slug = fallback_slug(title)
        slug_problems.append(
            Problem(
                f"no Latin letters or digits in the title for a slug: using '{slug}'; "
                "change it in the admin",
                title_index + 1,
                "slug",
            )
        )

    after_title = title_index + 1
    policy_index = next(
        (i for i in range(after_title, len(lines)) if lines[i].strip() == POLICY_HEADING), None
    )
    search_from = after_title if policy_index is None else policy_index + 1
    comments_index = next(
        (i for i in range(search_from, len(lines)) if comment_header(lines[i])), None
    )
    body_end = next(i for i in (policy_index, comments_index, len(lines)) if i is not None)
    caption, dateline, body = _body(_blocks(lines[after_title:body_end]))
    policy = ""
    if policy_index is not None:
        policy = _paragraphs(lines[policy_index + 1 : comments_index or len(lines)])
    comments: list[ParsedComment] = []
    if comments_index is not None:
        comments, problems = _comments(lines, comments_index)
        warnings += problems

    return ParsedItem(
        path=path,
        format=FORMAT,
        kind="article",
        title=title,
        slug=slug,
        body=body,
        dateline=dateline,
        featured_image_caption=caption,
        discussion_policy=policy,
        comments=comments,
        warnings=[*slug_problems, *warnings],  # no date here: the loader says what it did
    )
