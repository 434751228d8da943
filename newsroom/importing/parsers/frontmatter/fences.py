"""Reading a front matter file's fences: YAML (---), TOML (+++) or a JSON object, then the
body. Front matter too deep, too large or malformed is refused with the line to fix.
"""

from __future__ import annotations

import json
import re
import sys
import tomllib
from typing import Any

import yaml

from ...cleaning import clean_body, excerpt
from ...records import ParseError, Problem

# Past these, front matter is refused: YAML aliases make both from a few lines ("billion
# laughs", an anchor inside itself), and every step after parsing walks the values.
MAX_DEPTH = 100
MAX_VALUES = 100_000

_TOML_POSITION = re.compile(r"\s*\(at (?:line (\d+), column \d+|end of document)\)$")


def _error(
    path: str, message: str, line: int | None = None, field: str | None = None
) -> ParseError:
    return ParseError(path, Problem(message, line=line, field=field))


def _closing_fence(path: str, lines: list[str], start: int, fence: str) -> int:
    end = next((i for i in range(start + 1, len(lines)) if lines[i].rstrip() == fence), None)
    if end is None:
        raise _error(
            path,
            f"the front matter opened with '{fence}' is never closed; add a '{fence}' line "
            "after it",
            line=start + 1,
        )
    return end


class _TooDeep(yaml.composer.ComposerError):
    pass


class _YamlLoader(yaml.SafeLoader):
    """PyYAML's safe loader, but a scalar it cannot read is a YAML error with a line, and
    nesting past MAX_DEPTH stops at once (running into Python's recursion limit takes
    seconds). Not libyaml's CSafeLoader: its composer overflows the C stack on deep input."""

    _depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _TooDeep(None, None, "too deep", self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _strict(kind: str, construct: Any) -> Any:
    def constructor(loader: _YamlLoader, node: yaml.ScalarNode) -> Any:
        try:
            return construct(loader, node)
        except (ValueError, KeyError, AttributeError) as exc:  # 5000 digits, "!!bool maybe"
            raise yaml.constructor.ConstructorError(
                None, None, f"cannot read {excerpt(str(node.value))!r} as {kind}", node.start_mark
            ) from exc

    return constructor


def _timestamp_or_text(loader: _YamlLoader, node: yaml.ScalarNode) -> Any:
    """An impossible date such as 2020-13-45 stays text, for the date fields to warn about."""
    try:
        return loader.construct_yaml_timestamp(node)
    except (ValueError, AttributeError):
        return loader.construct_scalar(node)


for _tag, _kind, _construct in (
    ("int", "a whole number", yaml.SafeLoader.construct_yaml_int),
    ("float", "a number", yaml.SafeLoader.construct_yaml_float),
    ("bool", "true or false", yaml.SafeLoader.construct_yaml_bool),
):
    _YamlLoader.add_constructor(f"tag:yaml.org,2002:{_tag}", _strict(_kind, _construct))
_YamlLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_or_text)


def _load_yaml(text: str) -> Any:
    loader = _YamlLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def _too_deep(path: str, line: int) -> ParseError:
    return _error(
        path,
        f"the front matter nests deeper than {MAX_DEPTH} levels (or a YAML alias is used "
        "inside its own anchor); flatten it",
        line,
    )


def _long_number(path: str, syntax: str, text: str, first_line: int) -> ParseError:
    """int() refuses more than sys.get_int_max_str_digits() digits; say where and what to do."""
    limit = sys.get_int_max_str_digits()
    found = re.search(rf"\d[\d_]{{{limit},}}", text)
    return _error(
        path,
        f"invalid {syntax} front matter: a number has more than {limit} digits, too many to "
        "read; put it in quotes to keep it as text",
        text.count("\n", 0, found.start()) + first_line if found else None,
    )


def _split_yaml(path: str, lines: list[str], start: int) -> tuple[Any, int, int]:
    """Load the YAML between '---' lines; return it, its first line and the body's first line."""
    end = _closing_fence(path, lines, start, "---")
    first_line = start + 2
    chunk = "\n".join(lines[start + 1 : end])
    try:
        meta = _load_yaml(chunk)
    except _TooDeep as exc:
        raise _too_deep(path, exc.problem_mark.line + first_line) from None
    except RecursionError:
        raise _too_deep(path, first_line) from None
    except yaml.reader.ReaderError as exc:
        character = exc.character
        shown = f"U+{character:04X}" if isinstance(character, int) else repr(character)
        raise _error(
            path,
            f"invalid YAML front matter: the character {shown} is not allowed; remove it",
            line=chunk.count("\n", 0, exc.position) + first_line,
        ) from exc
    except yaml.MarkedYAMLError as exc:
        # Where the problem starts (an unclosed quote's opening), not where PyYAML gave up.
        mark = exc.context_mark or exc.problem_mark
        context = f" ({exc.context})" if exc.context else ""
        quoted = ""
        if mark is not None and 0 <= mark.line < end - start - 1:
            quoted = f": {excerpt(lines[start + 1 + mark.line].strip())!r}"
        raise _error(
            path,
            f"invalid YAML front matter: {exc.problem}{context}; fix this line{quoted} "
            "(values containing ': ' or starting with a quote, '@' or '%' need quotes)",
            line=mark.line + first_line if mark else None,
        ) from exc
    except yaml.YAMLError as exc:
        raise _error(path, f"invalid YAML front matter: {exc}; fix the YAML syntax") from exc
    return meta, first_line, end + 2


def _split_toml(path: str, lines: list[str], start: int) -> tuple[Any, int, int]:
    """Load the TOML between '+++' lines; return it, its first line and the body's first line."""
    end = _closing_fence(path, lines, start, "+++")
    first_line = start + 2
    chunk = "\n".join(lines[start + 1 : end])
    try:
        meta = tomllib.loads(chunk)
    except RecursionError:
        raise _too_deep(path, first_line) from None
    except tomllib.TOMLDecodeError as exc:
        position = _TOML_POSITION.search(str(exc))
        problem = _TOML_POSITION.sub("", str(exc))
        if position is None:
            line = None
        else:
            line = int(position.group(1)) + first_line - 1 if position.group(1) else end
        raise _error(path, f"invalid TOML front matter: {problem}; fix this line", line) from exc
    except ValueError as exc:  # only int() raises anything else
        raise _long_number(path, "TOML", chunk, first_line) from exc
    return meta, first_line, end + 2


def _split_json(path: str, text: str, offset: int) -> tuple[Any, int, int]:
    """Load the JSON object at the top; return it, its first line and the body's first line."""
    first_line = text.count("\n", 0, offset) + 1
    try:
        meta, end = json.JSONDecoder().raw_decode(text, offset)
    except RecursionError:
        raise _too_deep(path, first_line) from None
    except json.JSONDecodeError as exc:
        raise _error(
            path, f"invalid JSON front matter: {exc.msg}; fix this line", exc.lineno
        ) from exc
    except ValueError as exc:  # only int() raises anything else
        raise _long_number(path, "JSON", text, 1) from exc
    return meta, first_line, text.count("\n", 0, end) + 2


def _check_shape(path: str, meta: dict[str, Any], first_line: int) -> None:
    """Refuse front matter too deep or too large to walk, before anything walks it."""
    stack: list[tuple[Any, int]] = [(meta, 1)]
    count = 0
    while stack:
        value, depth = stack.pop()
        count += 1
        if depth > MAX_DEPTH:
            raise _too_deep(path, first_line)
        if count > MAX_VALUES:
            raise _error(
                path,
                f"the front matter holds more than {MAX_VALUES} values (a YAML alias counts "
                "again each time it is used); keep only what the site needs",
                first_line,
            )
        if isinstance(value, dict):
            stack.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list | tuple | set):
            stack.extend((item, depth + 1) for item in value)


def split_front_matter(path: str, text: str) -> tuple[dict[str, Any], list[str], int, int]:
    """Return the front matter, the file's lines, the front matter's and the body's first line."""
    lines = text.split("\n")
    start = next((i for i, line in enumerate(lines) if line.strip()), 0)
    # Stripped on both sides, as detect_format() reads the opening.
    opening = lines[start].strip() if lines else ""
    if opening == "---":
        meta, first_line, body_line = _split_yaml(path, lines, start)
    elif opening == "+++":
        meta, first_line, body_line = _split_toml(path, lines, start)
    elif opening.startswith("{"):
        meta, first_line, body_line = _split_json(path, text, text.index("{"))
    else:
        raise _error(
            path,
            "no front matter: start the file with '---' (YAML), '+++' (TOML) or a JSON object",
            line=start + 1,
        )
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise _error(
            path,
            f"the front matter is a {type(meta).__name__}, not a mapping of keys "
            "to values; write it as 'key: value' lines",
            line=first_line,
        )
    _check_shape(path, meta, first_line)
    return meta, lines, first_line, body_line


def read_body(lines: list[str], body_line: int) -> tuple[str, int, list[Problem]]:
    """The body from its first line on, without the blank lines above it: the Markdown,
    the file's line where it starts, and the problems cleaning it found."""
    body_lines = lines[body_line - 1 :]
    while body_lines and not body_lines[0].strip():
        body_lines.pop(0)
        body_line += 1
    body, problems = clean_body("\n".join(body_lines).rstrip(), first_line=body_line)
    return body, body_line, problems
