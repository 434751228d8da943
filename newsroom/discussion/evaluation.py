"""Measuring the policy's content rules against labelled comments: precision and recall of
"hold", per rule and overall, for ``manage.py moderation_eval``.

The labelled file is TSV with the header row ``label<TAB>text``; each label is ``keep`` or
``hold``, and each text is one line (the shipped file joins a comment's lines with " / ").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .policy import RULE_STATUS, ModerationPolicy, Reason

HEADER = ("label", "text")
LABELS = {"keep": False, "hold": True}
#: The file the project ships: the seed article's comments and ones written for the rules.
SHIPPED = Path(__file__).with_name("eval") / "comments.tsv"


class LabelledFileError(ValueError):
    """A labelled file that cannot be read, with the file and line at fault."""

    def __init__(self, path: Path | str, line: int | None, problem: str) -> None:
        self.path, self.line, self.problem = str(path), line, problem
        where = f"{path}, line {line}" if line else str(path)
        super().__init__(f"{where}: {problem}")


@dataclass(frozen=True)
class Labelled:
    line: int
    hold: bool
    text: str


def read_labelled(path: Path | str) -> list[Labelled]:
    """The labelled comments of a file, or a ``LabelledFileError`` naming the first fault.

    >>> import tempfile, os
    >>> with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False) as f:
    ...     _ = f.write("label\\ttext\\nhold\\tYou are all idiots\\n")
    >>> read_labelled(f.name)
    [Labelled(line=2, hold=True, text='You are all idiots')]
    >>> os.unlink(f.name)
    """
    path = Path(path)
    if not path.is_file():
        raise LabelledFileError(path, None, "no such file")
    rows: list[Labelled] = []
    number = 0
    with path.open("rb") as lines:
        for number, raw in enumerate(lines, start=1):
            try:
                line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError:
                raise LabelledFileError(path, number, "not UTF-8 text") from None
            line = line.rstrip("\r\n")
            if number == 1:
                if tuple(line.split("\t")) != HEADER:
                    raise LabelledFileError(
                        path, 1, f"the header row must be “label<TAB>text”, not {line!r}"
                    )
                continue
            if not line.strip():
                continue  # blank lines separate groups of comments
            label, tab, text = line.partition("\t")
            if not tab:
                raise LabelledFileError(path, number, "no tab between the label and the text")
            if label not in LABELS:
                raise LabelledFileError(
                    path, number, f"the label must be “keep” or “hold”, not {label!r}"
                )
            if not text.strip():
                raise LabelledFileError(path, number, "the text is empty")
            rows.append(Labelled(number, LABELS[label], text))
    if number == 0:
        raise LabelledFileError(path, None, "the file is empty: no header row")
    if not rows:
        raise LabelledFileError(path, None, "no labelled comments after the header row")
    return rows


@dataclass(frozen=True)
class Sample:
    """A labelled text as the policy's content rules read a comment."""

    body: str
    author_name: str = ""
    author_email: str = ""
    author_url: str = ""


@dataclass
class Score:
    """How one rule (or the policy as a whole) did: what it held, and rightly."""

    held: int = 0
    right: int = 0
    holds: int = 0  # comments labelled "hold" in the file

    @property
    def precision(self) -> float:
        return self.right / self.held if self.held else 0.0

    @property
    def recall(self) -> float:
        return self.right / self.holds if self.holds else 0.0


@dataclass
class Outcome:
    """One labelled comment and what the rules said of it."""

    row: Labelled
    reasons: list[Reason]

    @property
    def held(self) -> bool:
        return any(RULE_STATUS.get(r.rule) != "approved" for r in self.reasons)


@dataclass
class Evaluation:
    rules: dict[str, Score] = field(default_factory=dict)
    overall: Score = field(default_factory=Score)
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def mistakes(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.held != o.row.hold]


def evaluate(policy: ModerationPolicy, rows: list[Labelled]) -> Evaluation:
    """Run every labelled text through the policy's content rules and score them."""
    result = Evaluation(rules={rule: Score() for rule in policy.content_rules()})
    holds = sum(row.hold for row in rows)
    for score in [*result.rules.values(), result.overall]:
        score.holds = holds
    for row in rows:
        outcome = Outcome(row, policy.content_reasons(Sample(row.text)))
        result.outcomes.append(outcome)
        for rule in {reason.rule for reason in outcome.reasons}:
            score = result.rules.setdefault(rule, Score(holds=holds))
            score.held += 1
            score.right += row.hold
        if outcome.held:
            result.overall.held += 1
            result.overall.right += row.hold
    return result
