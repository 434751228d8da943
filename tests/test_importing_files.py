"""Which files an import run reads: the suffixes the parser registry knows, and no other."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from newsroom.importing import parsers
from newsroom.importing.files import SOURCE_SUFFIXES, find_source_files
from newsroom.models import Article

FILES = Path(__file__).resolve().parent / "files"


def test_the_suffixes_read_are_the_parser_registrys():
    assert set(SOURCE_SUFFIXES) == set(parsers.SUFFIXES)


@pytest.fixture
def hugo_site(tmp_path) -> Path:
    """A Hugo site's folder: its configuration and data files beside the content."""
    (tmp_path / "config.toml").write_text('baseURL = "https://example.com/"\ntitle = "Site"\n')
    (tmp_path / "package.json").write_text('{"name": "theme", "version": "1.0.0"}\n')
    (tmp_path / "content").mkdir()
    for name in ("toml_front_matter.md", "json_front_matter.md"):
        (tmp_path / "content" / name).write_bytes((FILES / name).read_bytes())
    return tmp_path


def test_toml_and_json_files_are_not_collected(hugo_site):
    found = [source.identity for source in find_source_files([str(hugo_site)])]
    # Front matter in TOML (+++) or JSON ({...}) is read from Markdown files.
    assert found == ["content/json_front_matter.md", "content/toml_front_matter.md"]


@pytest.mark.django_db
def test_an_import_reads_the_content_and_not_the_sites_configuration(hugo_site):
    out = StringIO()
    call_command("import_sources", str(hugo_site), stdout=out)
    output = out.getvalue()
    assert "config.toml" not in output and "package.json" not in output, output
    assert "2 files: 2 created" in output, output
    assert sorted(Article.objects.values_list("title", flat=True)) == [
        "Budget Talks Resume",
        "Harbor Reopens",
    ]
