"""``moderation_eval FILE``: how well the content rules do on labelled comments."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.text import Truncator

from newsroom.discussion.evaluation import LabelledFileError, evaluate, read_labelled
from newsroom.discussion.policy import get_policy, rule_label
from newsroom.importing.report import printable


class Command(BaseCommand):
    help = (
        "Run labelled comments (TSV: a header row label<TAB>text, each label keep or hold) "
        "through the current policy's content rules and print the precision and recall of "
        "“hold” per rule, then overall. Changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE", help="The labelled comments (TSV).")
        parser.add_argument(
            "--mistakes",
            action="store_true",
            help="Also list the comments the policy decides against their label.",
        )

    def handle(self, *args, file: str, mistakes: bool, **options):
        try:
            rows = read_labelled(file)
        except LabelledFileError as error:
            raise CommandError(printable(str(error))) from None
        result = evaluate(get_policy(), rows)
        if mistakes:
            for outcome in result.mistakes:
                said = "; ".join(f"{r.rule}: {r.evidence}" for r in outcome.reasons) or "-"
                label = "hold" if outcome.row.hold else "keep"
                text = Truncator(outcome.row.text).chars(100)
                self.stdout.write(printable(f"line {outcome.row.line} ({label}, {said}): {text}"))
        holds = sum(row.hold for row in rows)
        self.stdout.write(
            f"{len(rows)} comments in {printable(file)}: {holds} hold, {len(rows) - holds} keep."
        )
        self.stdout.write(f"{'rule':<24}{'held':>6}{'right':>7}{'precision':>11}{'recall':>8}")
        for rule, score in result.rules.items():
            precision = f"{score.precision:.3f}" if score.held else "-"
            self.stdout.write(
                f"{rule_label(rule):<24}{score.held:>6}{score.right:>7}"
                f"{precision:>11}{score.recall:>8.3f}"
            )
        overall = result.overall
        self.stdout.write(f"{'all content rules':<24}{overall.held:>6}{overall.right:>7}")
        self.stdout.write(f"overall: precision {overall.precision:.3f} recall {overall.recall:.3f}")
