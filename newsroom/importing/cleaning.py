"""Pure clean-ups of imported Markdown text, each reporting what it could not fix.

Every function keeps the text's line count, so line numbers in warnings are source lines.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlsplit

from .records import Problem

TRACKING_PARAMETERS = frozenset({"gclid", "fbclid", "mc_cid", "mc_eid"})
TRACKING_PREFIXES = ("utm_",)
LINK_SCHEMES = frozenset({"http", "https", "mailto"})

# The old converter quoted link targets with escaped quotes: ](\"URL\") or ](\"URL\" \"TITLE\").
_LINK_ARTIFACT = re.compile(r'\]\(\\"([^"\\\n]*)\\"(?:[ \t]+\\"([^"\\\n]*)\\")?\)')
# Stops at ) and ] so that a URL inside [text](url) never swallows the Markdown around it.
_WEB_URL = re.compile(r"""https?://[^\s<>"'\\()\[\]]+""", re.IGNORECASE)
# An inline link or image target, allowing one level of parentheses as in Wikipedia URLs.
# Possessive quantifiers: giving back spaces or target characters can never make a match, and
# trying every way to do so took minutes on a line with a long run of spaces after "](".
LINK_TARGET = re.compile(
    r"(?<!\\)\]\([ \t]*+"
    r"(<[^>\n]*>|(?:[^()\s]|\([^()\s]*+\))*+)"  # the target
    r"""(?:[ \t]++(?:"[^"\n]*"|'[^'\n]*'))?+[ \t]*+\)"""  # an optional title
)
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
# The converter turned U+2010..U+201F (dashes, curly quotes) into "a" plus the low byte,
# either as the raw control character or spelled out as a \u00XX escape.
_GARBLED_PUNCTUATION = re.compile(r"a(?:([\x10-\x1f])|\\{1,2}u00(1[0-9a-fA-F]))")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ufeff]")
# Escapes in JSON and YAML can spell UTF-16 halves, which no database or file can store.
_SURROGATE = re.compile(r"[\ud800-\udfff]")
EXCERPT_CHARS = 80


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """Shorten a value quoted in a message, so a 100,000-character field stays readable.

    >>> excerpt("x" * 100, limit=5)
    'xxxxx… (100 characters)'
    """
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text)} characters)"


def repair_link_artifacts(text: str) -> str:
    r"""Unquote link targets the old converter wrapped in escaped quotes.

    >>> repair_link_artifacts(r'[CFR](\"https://cfr.org/x\" \"Backgrounder\") and [top](\"#\")')
    '[CFR](https://cfr.org/x "Backgrounder") and [top](#)'
    """

    def unquote(match: re.Match[str]) -> str:
        url = match.group(1).strip().replace(" ", "%20")
        title = match.group(2)
        return f']({url} "{title}")' if title else f"]({url})"

    return _LINK_ARTIFACT.sub(unquote, text)


def _is_tracking(parameter: str) -> bool:
    name = parameter.split("=", 1)[0].lower()
    return name in TRACKING_PARAMETERS or name.startswith(TRACKING_PREFIXES)


def _without_tracking(url: str) -> str:
    address, hash_sign, fragment = url.partition("#")
    path, question_mark, query = address.partition("?")
    if not question_mark:
        return url
    parameters = [p for p in query.split("&") if p]
    kept = [p for p in parameters if not _is_tracking(p)]
    if len(kept) == len(parameters):
        return url
    return path + ("?" + "&".join(kept) if kept else "") + hash_sign + fragment


def strip_tracking_params(text: str) -> str:
    """Drop utm_*, gclid, fbclid, mc_cid and mc_eid from web addresses; keep the rest.

    >>> strip_tracking_params("[x](https://a.org/p?id=7&utm_source=tw&gclid=Cj0#top)")
    '[x](https://a.org/p?id=7#top)'
    """
    return _WEB_URL.sub(lambda match: _without_tracking(match.group(0)), text)


def _link_problem(target: str) -> str | None:
    """Say what is wrong with one link target, or None when it looks usable."""
    target = target.removeprefix("<").removesuffix(">").strip()
    if not target:
        return "link has an empty target; add the URL or remove the link"
    shown = excerpt(target)
    scheme = _SCHEME.match(target)
    if scheme is None:
        if target.lower().startswith("www."):
            return f"link target '{shown}' has no scheme; write 'https://{shown}'"
        return None  # a site-relative path or an anchor
    name = scheme.group(1).lower()
    if name in LINK_SCHEMES:
        try:
            host = urlsplit(target).netloc
        except ValueError as error:  # "http://[not-an-IPv6-address"
            return f"link target '{shown}' is not a valid address ({error}); correct it"
        if name != "mailto" and not host:
            return f"link target '{shown}' has no host; write it as '{name}://host/path'"
        return None
    if set(name) <= set("htps"):
        intended = "https" if name.endswith("s") else "http"
        return f"link target '{shown}' has the misspelt scheme '{name}:'; use '{intended}:'"
    return f"link target '{shown}' uses '{name}:'; only http, https and mailto links are kept"


# Misspelt schemes the archive has: "ttps://", "htps://", "http//", "https:/"...
_SCHEME_LIKE = r"(?:h?t?t?ps?|hh?t+ps?)(?::/{1,3}|/{2,3})(?=[^/\s])"
_MISSPELT_SCHEME = re.compile("^" + _SCHEME_LIKE, re.IGNORECASE)
# "https://https://x": the converter prefixed a scheme to an address that had one.
_DOUBLED_SCHEME = re.compile(rf"^(?:{_SCHEME_LIKE})+(?={_SCHEME_LIKE})", re.IGNORECASE)
# The converter's "_:A " (a garbled colon and no-break space) in front of an address.
_GARBLE_BEFORE_URL = re.compile(r"[ \t]*_:A[ \t]+(?=<?https?://|\[)")


def _repaired_target(target: str) -> str:
    """The target with its scheme repaired, or unchanged.

    >>> _repaired_target("ttps://a.org/x"), _repaired_target("https://https://a.org")
    ('https://a.org/x', 'https://a.org')
    >>> _repaired_target("http//a.org"), _repaired_target("www.a.org/x")
    ('http://a.org', 'https://www.a.org/x')
    """
    fixed = _DOUBLED_SCHEME.sub("", target)
    scheme = _MISSPELT_SCHEME.match(fixed)
    if scheme is not None:
        secure = scheme.group(0).rstrip(":/").lower().endswith("s")
        fixed = ("https://" if secure else "http://") + fixed[scheme.end() :]
    if fixed.lower().startswith("www."):
        fixed = "https://" + fixed
    return fixed


def _link_start(line: str, close: int) -> int | None:
    """Where the "[" of the link whose "]" is at ``close`` opens, counting nested brackets."""
    depth = 0
    for index in range(close - 1, -1, -1):
        char = line[index]
        if index and line[index - 1] == "\\":
            continue
        if char == "]":
            depth += 1
        elif char == "[":
            if depth == 0:
                return index
            depth -= 1
    return None


def _repair_links_line(line: str) -> tuple[str, list[str]]:
    messages = []
    if "_:A" in line:
        repaired = _GARBLE_BEFORE_URL.sub(": ", line)
        if repaired != line:
            messages.append(
                "repaired the old converter's '_:A ' garble before an address (now ': ')"
            )
            line = repaired
    if "](" not in line:
        return line, messages
    pieces = []
    done = 0
    for match in LINK_TARGET.finditer(line):
        raw = match.group(1)
        target = raw.removeprefix("<").removesuffix(">").strip()
        fixed = _repaired_target(target) if target else target
        if fixed != target:
            messages.append(f"repaired link target '{excerpt(target)}' to '{excerpt(fixed)}'")
            start, end = match.span(1)
            pieces.append(line[done:start] + fixed.replace(" ", "%20"))
            done = end
            continue
        problem = _link_problem(raw)
        if problem is None:
            continue
        opening = _link_start(line, match.start())
        if opening is None or (opening and line[opening - 1] == "!"):
            messages.append(problem)  # an image, or no text to keep: reported as it is
            continue
        # A link nobody can follow stays as its text, with the target written after it.
        shown = f" ({target})" if target else ""
        pieces.append(line[done:opening] + line[opening + 1 : match.start()] + shown)
        done = match.end()
        messages.append(f"{problem}; the link was kept as plain text")
    pieces.append(line[done:])
    return "".join(pieces), messages


def repair_links(text: str, *, first_line: int = 1) -> tuple[str, list[Problem]]:
    """Repair misspelt and doubled schemes and the "_:A " garble; a link that cannot be
    repaired becomes its text (never a link without a target). Each change is reported.

    >>> text, problems = repair_links("[AP](ttps://ap.org) [x](javascript:alert(1))")
    >>> text
    '[AP](https://ap.org) x (javascript:alert(1))'
    >>> [p.message.startswith("repaired") for p in problems]
    [True, False]
    """
    lines = []
    problems = []
    for number, line in enumerate(text.split("\n"), start=first_line):
        fixed, messages = _repair_links_line(line)
        lines.append(fixed)
        problems += [Problem(message, line=number) for message in messages]
    return "\n".join(lines), problems


def find_broken_links(text: str, *, first_line: int = 1) -> list[Problem]:
    """Report link targets a reader could not follow, leaving the text unchanged.

    >>> [str(p) for p in find_broken_links("[AP](ttps://apnews.com/f3)", first_line=30)]
    ["line 30: link target 'ttps://apnews.com/f3' has the misspelt scheme 'ttps:'; use 'https:'"]
    """
    problems = []
    for number, line in enumerate(text.split("\n"), start=first_line):
        for match in LINK_TARGET.finditer(line):
            message = _link_problem(match.group(1))
            if message:
                problems.append(Problem(message, line=number))
    return problems


def _per_line(
    text: str,
    first_line: int,
    field: str | None,
    fix: Callable[[str], tuple[str, str | None]],
) -> tuple[str, list[Problem]]:
    """Apply a line-preserving fix that may explain itself, one source line at a time."""
    lines = []
    problems = []
    for number, line in enumerate(text.split("\n"), start=first_line):
        fixed, message = fix(line)
        lines.append(fixed)
        if message:
            problems.append(Problem(message, line=number, field=field))
    return "\n".join(lines), problems


def _repair_garbled_line(line: str) -> tuple[str, str | None]:
    originals: list[str] = []

    def restore(match: re.Match[str]) -> str:
        originals.append(match.group(0))
        low = match.group(1) or chr(int(match.group(2), 16))
        return chr(0x2000 + ord(low))

    fixed = _GARBLED_PUNCTUATION.sub(restore, line)
    if not originals:
        return line, None
    shown = ", ".join(
        f"{_visible(original)} → {_GARBLED_PUNCTUATION.sub(restore, original)}"
        for original in dict.fromkeys(originals)
    )
    return fixed, (
        f"repaired {len(originals)} punctuation mark(s) garbled by the old converter ({shown}); "
        "check that the quotes and dashes read as intended"
    )


def _visible(text: str) -> str:
    return _CONTROL.sub(lambda match: f"\\x{ord(match.group(0)):02x}", text)


def repair_garbled_punctuation(
    text: str, *, first_line: int = 1, field: str | None = None
) -> tuple[str, list[Problem]]:
    r"""Restore curly quotes and dashes the converter wrote as "a" plus a control character.

    >>> repair_garbled_punctuation("Forbesa\x19 list, FTCa\\u0019s case")[0]
    'Forbes’ list, FTC’s case'
    """
    return _per_line(text, first_line, field, _repair_garbled_line)


def _remove_control_line(line: str) -> tuple[str, str | None]:
    found = _CONTROL.findall(line)
    if not found:
        return line, None
    points = ", ".join(f"U+{ord(c):04X}" for c in dict.fromkeys(found))
    return _CONTROL.sub("", line), (
        f"removed control character(s) {points}; check the text around them reads as intended"
    )


def remove_control_characters(
    text: str, *, first_line: int = 1, field: str | None = None
) -> tuple[str, list[Problem]]:
    r"""Remove C0/C1 control characters (but not tab or newline) and stray U+FEFF.

    >>> text, problems = remove_control_characters("Kylie\x1c says\ufeff hi", first_line=5)
    >>> text, str(problems[0])[:51]
    ('Kylie says hi', 'line 5: removed control character(s) U+001C, U+FEFF')
    """
    return _per_line(text, first_line, field, _remove_control_line)


def _join_surrogates_line(line: str) -> tuple[str, str | None]:
    if not _SURROGATE.search(line):
        return line, None
    # A high half followed by a low half is one character written as two escapes (YAML's
    # "\ud83d\ude00" gives both halves); a half on its own stands for nothing.
    joined = line.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    if joined.count("\ufffd") == line.count("\ufffd"):
        return joined, None
    return joined, (
        "replaced an unpaired UTF-16 surrogate (an escape such as \\ud800) with U+FFFD; "
        "write the character itself instead"
    )


def join_surrogates(
    text: str, *, first_line: int = 1, field: str | None = None
) -> tuple[str, list[Problem]]:
    r"""Join UTF-16 surrogate pairs into the character they spell; replace unpaired halves.

    >>> join_surrogates("smile \ud83d\ude00")[0] == "smile \U0001f600"
    True
    >>> text, problems = join_surrogates("bad \ud800 half", first_line=3)
    >>> text == "bad \ufffd half", problems[0].line
    (True, 3)
    """
    return _per_line(text, first_line, field, _join_surrogates_line)


def clean_text(
    text: str, *, first_line: int = 1, field: str | None = None
) -> tuple[str, list[Problem]]:
    r"""Repair garbled punctuation, then drop control characters, in any text field.

    >>> clean_text("a\x1cHi\x07a\x1d", field="quote")[0]
    '“Hi”'
    """
    text, joined = join_surrogates(text, first_line=first_line, field=field)
    text, repaired = repair_garbled_punctuation(text, first_line=first_line, field=field)
    text, removed = remove_control_characters(text, first_line=first_line, field=field)
    return text, joined + repaired + removed


def clean_body(text: str, *, first_line: int = 1) -> tuple[str, list[Problem]]:
    r"""Clean a Markdown body; first_line is the source line on which the body starts.

    >>> text, problems = clean_body(
    ...     'See [CFR](\\"https://cfr.org/x?gclid=C1\\")\n[AP](ttps://ap.org)', first_line=30
    ... )
    >>> text
    'See [CFR](https://cfr.org/x)\n[AP](https://ap.org)'
    >>> [p.line for p in problems]
    [31]
    """
    text, problems = clean_text(text, first_line=first_line)
    text, repaired = repair_links(
        strip_tracking_params(repair_link_artifacts(text)), first_line=first_line
    )
    return text, problems + repaired
