"""Imported aliases never claim the home page, the admin, static files, a live view of the
site or an existing item's address; the item still imports without them."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.contrib.redirects.models import Redirect
from django.contrib.sites.models import Site
from django.core.management import call_command

from newsroom.models import Article

pytestmark = pytest.mark.django_db


def import_with_aliases(folder: Path, *aliases: str, title: str = "Imported") -> str:
    listed = ", ".join(f"'{alias}'" for alias in aliases)
    path = folder / "imported.md"
    path.write_text(
        f"---\ntitle: {title}\nslug: {title.lower()}\ndate: 2020-01-01\n"
        f"aliases: [{listed}]\n---\nBody.\n",
        encoding="utf-8",
    )
    out = StringIO()
    call_command("import_sources", str(path), stdout=out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("alias", "why"),
    [
        ("/", "the home page"),
        ("/admin/", "the admin"),
        ("/admin", "the admin"),
        ("/admin/auth/user/", "the admin"),
        ("/%61dmin/", "the admin"),
        ("/static/newsroom/site.css", "static and media files"),
        ("/search/", "own pages"),
        ("/feeds/rss/", "own pages"),
        ("/sitemap.xml", "own pages"),
        ("/robots.txt", "own pages"),
        ("/sections/world/", "own pages"),
        ("/articles/no-such-article-yet/", "article pages"),
    ],
)
def test_reserved_paths_are_refused_and_the_item_imports(tmp_path, alias, why):
    output = import_with_aliases(tmp_path, alias)
    assert Article.objects.filter(title="Imported").exists()
    assert not Redirect.objects.exists()
    assert f"warning: alias {alias}: not made a redirect, it is " in output
    assert why in output.split(f"alias {alias}:")[1].split("\n")[0]


@pytest.mark.parametrize("status", [Article.Status.PUBLISHED, Article.Status.DRAFT])
def test_an_existing_articles_path_is_refused_naming_it(tmp_path, make_article, status):
    make_article(title="The Original", slug="original", status=status)
    output = import_with_aliases(tmp_path, "/articles/original/")
    assert not Redirect.objects.exists()
    assert "the address of “The Original” (article" in output


def test_an_existing_quick_quotes_path_is_refused(tmp_path, make_quote):
    make_quote(title="A Quote", slug="a-quote")
    output = import_with_aliases(tmp_path, "/quotes/a-quote/")
    assert not Redirect.objects.exists()
    assert "the address of “A Quote” (quick quote" in output


def test_free_aliases_still_become_redirects(tmp_path):
    output = import_with_aliases(tmp_path, "/article/old-slug/", "/admin/", "old/2/")
    assert sorted(Redirect.objects.values_list("old_path", "new_path")) == [
        ("/article/old-slug/", "/articles/imported/"),
        ("/old/2/", "/articles/imported/"),
    ]
    assert output.count("not made a redirect") == 1


def test_an_unpublished_articles_path_does_not_send_its_readers_to_the_importer(
    tmp_path, make_article, client
):
    original = make_article(title="The Original", slug="original")
    import_with_aliases(tmp_path, "/articles/original/")
    original.status = Article.Status.DRAFT
    original.save()
    response = client.get("/articles/original/")
    assert response.status_code != 301
    assert "Location" not in response
    # Its path is an unpublished item's, as if nothing had been imported.
    assert response.status_code == 404


def test_a_claim_made_before_this_check_answers_410_once_the_article_is_unpublished(
    tmp_path, make_article, client
):
    original = make_article(title="The Original", slug="original")
    import_with_aliases(tmp_path, "/article/free/", title="Imported")
    # A redirect such as earlier imports made on an item's own address.
    Redirect.objects.create(
        site=Site.objects.get_current(),
        old_path="/articles/original/",
        new_path="/articles/imported/",
    )
    original.status = Article.Status.DRAFT
    original.save()
    response = client.get("/articles/original/")
    assert response.status_code == 410
    assert "Location" not in response
    assert client.get("/article/free/").status_code == 301  # the importer's own aliases work
