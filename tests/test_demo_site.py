"""The demo site as `make run` sets it up: the Makefile's own manage.py commands, run here,
give a site where every kind of page answers 200 with content."""

from __future__ import annotations

import re
import shlex
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from newsroom.models import Article, Author, Comment, Section
from quickquotes.models import QuickQuote

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
# What `make run` runs before serving: every `manage.py` line of its recipe but the servers.
SERVERS = {"runserver", "db_worker", "migrate"}


def make_run_commands() -> list[list[str]]:
    recipe = re.search(r"^run: \$\(STAMP\)\n((?:\t.*\n)+)", (ROOT / "Makefile").read_text(), re.M)
    assert recipe, "the Makefile has no run target"
    commands = []
    for line in recipe.group(1).splitlines():
        found = re.search(r"manage\.py (.+?)(?: &|;|$)", line)
        if found:
            words = shlex.split(found.group(1))
            if words[0] not in SERVERS:
                commands.append(words)
    return commands


@pytest.fixture
def demo_site(settings):
    settings.DEBUG = True
    for name, *arguments in make_run_commands():
        call_command(name, *arguments, stdout=StringIO())


def test_make_run_loads_the_archive_the_demo_content_and_the_accounts():
    assert [words[0] for words in make_run_commands()] == [
        "import_sources",
        "demo_accounts",
        "demo_content",
        "demo_images",
    ]


def test_every_kind_of_page_shows_something(demo_site):
    reader = Client()
    article = Article.objects.published().exclude(source_path="").get()
    assert article.published_at.date().isoformat() == "2014-08-08"  # the dump, dated
    section = reverse("newsroom:section", args=[Section.objects.get(slug="city").slug])
    author = reverse("newsroom:author", args=[Author.objects.get(slug="mara-okafor").slug])
    quote = QuickQuote.objects.published().get(slug="ada-byrne-on-night-buses")
    pages = {
        "/": "Eastbrook council approves a night bus network",
        section: "Eastbrook council approves",
        "/tags/transport/": "night bus network",
        author: "Mara Okafor covers city hall",
        "/archive/2014/8/": "Aliyev Threatens War via Twitter",
        quote.get_absolute_url(): "Nurses, bakers and cleaners",
        article.get_absolute_url(): "Discussion policy",
    }
    front = reader.get("/").content.decode()
    # The pinned lead story first, the sections in the header's menu.
    assert front.index("Harbour warehouses to become 400 homes") < front.index(
        "Brass band festival returns"
    )
    assert 'href="/sections/culture/"' in front
    # The lead story's picture is the demo's own, stored here (no outside server).
    lead = front[front.index('class="lead-image"') :]
    assert "<picture>" in lead[:2000] and "/media/" in lead[:2000]
    for url, text in pages.items():
        response = reader.get(url)
        assert response.status_code == 200, url
        assert text in response.content.decode(), url


def test_the_demo_has_a_breaking_a_scheduled_item_and_comments_in_each_state(demo_site):
    assert Article.objects.published().filter(is_breaking=True).exists()
    scheduled = Article.objects.scheduled().get()
    assert Client().get(scheduled.get_absolute_url()).status_code == 404
    statuses = set(Comment.objects.filter(position=None).values_list("status", flat=True))
    assert statuses == set(Comment.Status.values)
    assert Comment.objects.filter(position=None, parent__isnull=False).exists()
    assert all(
        "Demo content" in item.tags.names() for item in Article.objects.filter(source_path="")
    )


def test_the_demo_content_is_loaded_once_and_never_without_debug(settings):
    settings.DEBUG = False
    out = StringIO()
    call_command("demo_content", stdout=out)
    assert "only loaded when DEBUG is on" in out.getvalue()
    assert not Article.objects.exists()
    settings.DEBUG = True
    call_command("demo_content", stdout=StringIO())
    article = Article.objects.get(slug="port-strike-ends")
    article.title = "Changed by an editor"
    article.save()
    counts = (Article.objects.count(), Comment.objects.count())
    call_command("demo_content", stdout=out)
    assert (Article.objects.count(), Comment.objects.count()) == counts
    assert Article.objects.get(slug="port-strike-ends").title == "Changed by an editor"
