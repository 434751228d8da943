import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from newsroom.discussion.evaluation import SHIPPED, LabelledFileError, read_labelled

OVERALL = re.compile(r"^overall: precision (\d\.\d{3}) recall (\d\.\d{3})$")


def evaluate(*args) -> str:
    out = StringIO()
    call_command("moderation_eval", *map(str, args), stdout=out)
    return out.getvalue()


def write(tmp_path, text: str, name: str = "labelled.tsv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def overall(output: str) -> tuple[float, float]:
    last = output.rstrip("\n").splitlines()[-1]
    match = OVERALL.match(last)
    assert match, f"last line is not the overall figures: {last!r}"
    return float(match[1]), float(match[2])


def table(output: str) -> dict[str, list[str]]:
    """The per-rule rows: label -> [held, right, precision, recall]."""
    rows = {}
    for line in output.splitlines():
        match = re.match(r"^(\D+?)\s+(\d+)\s+(\d+)\s+(\S+)\s+(\d\.\d{3})$", line)
        if match:
            rows[match[1]] = list(match.groups()[1:])
    return rows


def test_figures_per_rule_and_overall(tmp_path):
    path = write(
        tmp_path,
        "label\ttext\n"
        "hold\tYou are all idiots\n"
        "hold\tI know where you live\n"
        "hold\tA perfectly polite comment that is labelled hold anyway\n"
        "keep\tA classic cocktail in Scunthorpe\n"
        "keep\tYou idiot, I agree with you\n"
        "\n"
        "keep\tThe Senate killed the bill\n",
    )
    output = evaluate(path)
    assert f"6 comments in {path}: 3 hold, 3 keep." in output
    rows = table(output)
    # "personal attacks" held two, one of them rightly: precision 0.5, recall 1 of 3.
    assert rows["personal attacks"] == ["2", "1", "0.500", "0.333"]
    assert rows["threats of violence"] == ["1", "1", "1.000", "0.333"]
    assert rows["slurs"] == ["0", "0", "-", "0.000"]
    # Held 3 (two attacks and the threat), 2 rightly; 2 of the 3 holds found.
    assert overall(output) == (pytest.approx(0.667, abs=1e-3), pytest.approx(0.667, abs=1e-3))


def test_the_word_lists_and_links_are_measured_too(tmp_path, settings):
    settings.NEWSROOM_MODERATION = {"blocked_words": ["casino"], "hold_links": 2}
    path = write(tmp_path, "label\ttext\nhold\tcasino here\nhold\thttps://a https://b\n")
    rows = table(evaluate(path))
    assert rows["blocked words"] == ["1", "1", "1.000", "0.500"]
    assert rows["links"] == ["1", "1", "1.000", "0.500"]
    assert "moderation words" not in rows  # an empty list is not a rule to measure


def test_mistakes_are_listed_inert_on_request(tmp_path):
    path = write(tmp_path, "label\ttext\nkeep\tYou idiot \x1b[31mred\nhold\tpolite\n")
    output = evaluate(path, "--mistakes")
    assert "line 2 (keep, personal_attacks: You idiot)" in output
    assert "\\x1b[31mred" in output and "\x1b" not in output
    assert "line 3 (hold, -): polite" in output
    assert overall(output) == (0.0, 0.0)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("label,text\nhold,x\n", "line 1: the header row must be “label<TAB>text”"),
        ("text\tlabel\nhold\tx\n", "line 1: the header row must be “label<TAB>text”"),
        (
            "label\ttext\nhold\tfine\nspam\tbuy\n",
            "line 3: the label must be “keep” or “hold”, not 'spam'",
        ),
        ("label\ttext\nHold\tx\n", "line 2: the label must be “keep” or “hold”, not 'Hold'"),
        ("label\ttext\nhold x\n", "line 2: no tab between the label and the text"),
        ("label\ttext\nkeep\t  \n", "line 2: the text is empty"),
        ("label\ttext\n\n", "no labelled comments after the header row"),
        ("", "the file is empty: no header row"),
    ],
)
def test_a_faulty_file_is_refused_naming_its_file_and_line(tmp_path, content, problem):
    path = write(tmp_path, content)
    with pytest.raises(CommandError) as refused:
        evaluate(path)
    assert str(refused.value).startswith(f"{path}")
    assert problem in str(refused.value)


def test_bytes_that_are_not_utf8_are_refused_with_their_line(tmp_path):
    path = tmp_path / "latin1.tsv"
    path.write_bytes(b"label\ttext\nkeep\tcaf\xe9\n")
    with pytest.raises(LabelledFileError, match=r"latin1\.tsv, line 2: not UTF-8 text"):
        read_labelled(path)


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(CommandError, match=r"nothere\.tsv: no such file"):
        evaluate(tmp_path / "nothere.tsv")


def test_a_control_character_in_a_bad_label_is_shown_escaped(tmp_path):
    path = write(tmp_path, "label\ttext\n\x1b[2Jhold\tx\n")
    with pytest.raises(CommandError) as refused:
        evaluate(path)
    assert "\x1b" not in str(refused.value)
    assert "\\x1b[2Jhold" in str(refused.value)


def test_the_shipped_file_reaches_the_targets():
    rows = read_labelled(SHIPPED)
    holds = sum(row.hold for row in rows)
    assert holds >= 90 and len(rows) - holds >= 100
    assert len(rows) >= 11 + 150  # the seed article's comments and our own
    output = evaluate(SHIPPED)
    precision, recall = overall(output)
    assert precision >= 0.9
    assert recall >= 0.9
    rows = table(output)
    for rule in ("threats of violence", "slurs", "dehumanising language", "personal attacks"):
        held, _right, rule_precision, _recall = rows[rule]
        assert int(held) > 0 and float(rule_precision) >= 0.9, rule


def test_the_model_is_measured_when_switched_on(tmp_path, settings, monkeypatch):
    import sys
    import types

    module = types.ModuleType("profanity_check")
    module.predict_prob = lambda texts: [0.9 if "rotten" in t else 0.1 for t in texts]
    monkeypatch.setitem(sys.modules, "profanity_check", module)
    settings.NEWSROOM_MODERATION = {"model_threshold": 0.5}
    path = write(tmp_path, "label\ttext\nhold\ta rotten thing\nkeep\trotten apples\n")
    assert table(evaluate(path))["profanity model"] == ["2", "1", "0.500", "1.000"]
