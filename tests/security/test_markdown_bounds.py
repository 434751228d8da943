"""Pathological Markdown is refused quickly, with a reason, wherever a body is rendered."""

from __future__ import annotations

import zoneinfo
from io import StringIO
from pathlib import Path

import markdown
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from newsroom import rendering
from newsroom.importing.parsers import parse_file
from newsroom.models import Article
from newsroom.rendering import MarkdownRefused, render_markdown
from quickquotes.models import QuickQuote
from tests.admin_forms import change_form_data

ROOT = Path(__file__).resolve().parents[2]
ARCHIVE_FILES = sorted((ROOT / "fixtures").iterdir()) + sorted(
    Path("/work/shared/corpus/hugo-real").glob("*.md")
)


def nested_list(lines: int) -> str:
    """The penetration test's list: each line one level deeper (4 MB for 2,000 lines)."""
    return "\n".join("    " * level + f"* item {level}" for level in range(lines))


def refusal(source: str) -> MarkdownRefused:
    with pytest.raises(MarkdownRefused) as refused:
        render_markdown(source)
    return refused.value


@pytest.mark.parametrize("marker", ["* ", "- ", "1. ", "> * "])
def test_markers_repeated_on_one_line_are_refused(marker):
    # 500 of them made Python-Markdown raise RecursionError.
    refused = refusal("Intro\n\n" + marker * 500 + "item")
    assert refused.code == "too_deep"
    assert refused.line == 3
    assert "NEWSROOM_MARKDOWN_MAX_DEPTH" in str(refused) and "line 3" in str(refused)


def test_a_rule_of_many_stars_is_still_a_rule():
    assert render_markdown("* " * 500) == "<hr>"


def test_a_2000_line_nested_list_is_refused():
    refused = refusal(nested_list(2000))
    assert refused.code == "too_large"
    assert "NEWSROOM_MARKDOWN_MAX_BYTES" in str(refused)


def test_a_2000_line_nested_list_is_refused_for_its_depth(settings):
    settings.NEWSROOM_MARKDOWN_MAX_BYTES = 10_000_000
    refused = refusal(nested_list(2000))
    assert (refused.code, refused.line) == ("too_deep", 21)


def test_a_deeply_nested_blockquote_is_refused():
    source = "\n".join(">" * depth + " quoted" for depth in range(1, 900))
    refused = refusal(source)
    assert (refused.code, refused.line) == ("too_deep", 21)


def test_a_quote_holding_an_indented_list_counts_both():
    source = "\n".join(">" + "    " * level + "* item" for level in range(200))
    assert refusal(source).code == "too_deep"


def test_deeply_nested_html_blocks_are_refused():
    # nh3's parser takes quadratic time on nested blocks: 30,000 <div> took 5 s.
    refused = refusal("Intro\n\n" + "<div>" * 80_000)
    assert (refused.code, refused.line) == ("too_deep", 3)


def test_an_oversize_body_is_refused():
    refused = refusal("word " * 200_000)
    assert refused.code == "too_large"
    assert "1,000,000 bytes long, more than the 500,000 allowed" in str(refused)


def test_nesting_within_the_limits_renders():
    source = "\n".join("    " * level + f"* item {level}" for level in range(20))
    assert render_markdown(source).count("<ul>") == 20


def test_a_document_over_its_time_budget_is_refused(settings):
    settings.NEWSROOM_MARKDOWN_SECONDS = 0.001
    source = "\n\n".join(
        f"Paragraph {n} with *emphasis*, a [link](https://example.org/{n}) and `code`."
        for n in range(3000)
    )
    refused = refusal(source)
    assert refused.code == "too_slow"
    assert "0.001 seconds" in str(refused) and "NEWSROOM_MARKDOWN_SECONDS" in str(refused)
    # The converter stopped halfway is replaced: the next document renders in full.
    settings.NEWSROOM_MARKDOWN_SECONDS = 10
    assert render_markdown("* one\n* two") == "<ul>\n<li>one</li>\n<li>two</li>\n</ul>"


def test_no_recursion_error_escapes(monkeypatch):
    # Should some construct recurse that the nesting count misses, it is refused too.
    monkeypatch.setattr(rendering, "check_limits", lambda source, defuse: None)
    assert refusal("* " * 1000 + "item").code == "too_deep"


@pytest.mark.parametrize("path", ARCHIVE_FILES, ids=lambda path: path.name)
def test_the_archive_renders_as_python_markdown_renders_it(path):
    item = parse_file(path.name, path.read_bytes(), tz=zoneinfo.ZoneInfo("UTC"))
    plain = markdown.Markdown(extensions=rendering.MARKDOWN_EXTENSIONS, output_format="html")
    expected = rendering.sanitize_html(plain.convert(rendering.defuse_markdown(item.body)))
    assert render_markdown(item.body) == expected


@pytest.mark.django_db
def test_the_importer_fails_the_file_and_says_why(tmp_path):
    source = tmp_path / "deep.md"
    source.write_text(
        "---\ntitle: Deep\ndate: 2024-01-02\n---\n\nIntro\n\n" + "* " * 500 + "item\n",
        encoding="utf-8",
    )
    (tmp_path / "fine.md").write_text("---\ntitle: Fine\n---\nBody.\n", encoding="utf-8")
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("import_sources", str(tmp_path), stdout=out)
    report = out.getvalue()
    assert "failed    deep.md" in report
    # The body starts on line 6 of the file: the list is on line 8.
    assert "error: line 8: lists and quotes nest more than 20 levels" in report
    assert "Traceback" not in report
    assert list(Article.objects.values_list("title", flat=True)) == ["Fine"]


def admin_add_data(client, url: str, **fields) -> dict:
    # The form's fields and its inlines' management forms (corrections and updates).
    data = change_form_data(client, url)
    data.update(fields)
    return data


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("model", "extra"),
    [(Article, {}), (QuickQuote, {"quote": "Said it."})],
    ids=["article", "quickquote"],
)
def test_the_admin_shows_a_refused_body_as_the_bodys_error(admin_client, model, extra):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")
    data = admin_add_data(
        admin_client, url, title="Deep", slug="deep", body="* " * 500 + "item", **extra
    )
    response = admin_client.post(url, data)
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors.as_data()["body"][0].code == "too_deep"
    assert "line 1" in form.errors["body"][0]
    assert not model.objects.exists()

    data["body"] = "* a body\n* that renders"
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert "<li>that renders</li>" in model.objects.get().body_html


def test_publishing_does_not_render_the_body_again(make_article, monkeypatch):
    from newsroom.models import publishing

    article = make_article(status="draft", body="A *heavy* body.")
    rendered = article.body_html

    def never(text: str) -> str:
        raise AssertionError("the body was rendered again")

    monkeypatch.setattr(publishing, "render_markdown", never)
    article.status = "published"
    article.save(update_fields=["status"])
    article.refresh_from_db()
    assert article.status == "published" and article.body_html == rendered
