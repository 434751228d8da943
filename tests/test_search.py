"""Search through the database's own index: ranking, words in any script, every kind of
write, drafts, pages, the query budget and snippets that are safe to show.

Runs on whichever database the suite uses: PostgreSQL's stored tsvector or SQLite's FTS5.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from newsroom import search, search_index
from newsroom.models import Article
from quickquotes.models import QuickQuote

pytestmark = pytest.mark.django_db


def found(client, query: str, **params) -> list:
    response = client.get("/search/", {"q": query, **params})
    assert response.status_code == 200
    return response.context["results"]


def test_the_database_keeps_the_index():
    expected = "postgresql" if connection.vendor == "postgresql" else "fts5"
    assert search.engine() == expected


def test_a_title_match_ranks_above_a_description_and_a_body_match(client, make_article):
    in_body = make_article(title="Other", body="The ceasefire did not hold.")
    in_description = make_article(title="Second", description="A ceasefire, again.")
    in_title = make_article(
        title="Ceasefire talks", published_at=timezone.now() - timedelta(days=9)
    )
    assert found(client, "ceasefire") == [in_title, in_description, in_body]


def test_english_words_are_stemmed_on_postgresql(client, make_article):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's unicode61 tokenizer matches words as written")
    talks = make_article(title="Peace talks")
    assert found(client, "talk") == [talks]


@pytest.mark.parametrize("word", ["Հայաստան", "Москва"], ids=["armenian", "cyrillic"])
def test_words_in_other_scripts_are_found(client, make_article, make_quote, word):
    article = make_article(title="Elsewhere", body=f"A visit to {word} today.")
    quote = make_quote(quote=f"{word.upper()} will answer.")
    make_article(title="Nothing", body="Nothing to see.")
    assert set(found(client, word.lower())) == {article, quote}


def test_every_kind_of_write_reaches_the_index(client, make_article):
    article = make_article(title="Before", body="Old words.")
    Article.objects.filter(pk=article.pk).update(body="Fresh harvest reported.")
    assert found(client, "harvest") == [article]
    assert found(client, "old") == []
    Article.objects.bulk_create(
        [
            Article(
                title="Bulk",
                slug="bulk",
                body="A bulk meridian.",
                status="published",
                published_at=timezone.now() - timedelta(hours=1),
            )
        ]
    )
    assert [item.slug for item in found(client, "meridian")] == ["bulk"]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE newsroom_article SET title = %s WHERE slug = %s", ["Zenith", "bulk"])
    assert [item.slug for item in found(client, "zenith")] == ["bulk"]
    Article.objects.filter(slug="bulk").delete()
    assert found(client, "zenith") == []


def test_drafts_and_scheduled_items_are_never_found(client, make_article, make_quote):
    make_article(title="Secret plan", status="draft")
    make_quote(title="Secret quote", status="draft")
    make_article(title="Secret later", published_at=timezone.now() + timedelta(days=1))
    assert found(client, "secret") == []
    # Publishing changes no indexed text, yet the item is found from then on.
    Article.objects.filter(title="Secret plan").update(status="published")
    assert [item.title for item in found(client, "secret")] == ["Secret plan"]


def test_results_come_a_page_at_a_time(client, settings, make_article):
    settings.NEWSROOM_PAGE_SIZE = 3
    for n in range(7):
        make_article(title=f"Harbour {n}", published_at=timezone.now() - timedelta(hours=n + 1))
    first, second, third = (found(client, "harbour", page=n) for n in (1, 2, 3))
    assert (len(first), len(second), len(third)) == (3, 3, 1)
    assert len({item.pk for item in first + second + third}) == 7
    response = client.get("/search/", {"q": "harbour", "page": 2})
    html = response.content.decode()
    assert "7 results for “harbour”" in html
    assert "?q=harbour&amp;page=3" in html
    assert client.get("/search/", {"q": "harbour", "page": 4}).status_code == 404


@pytest.mark.parametrize("matching", [1, 50])
def test_a_search_page_takes_the_same_queries_however_many_match(
    client, django_assert_num_queries, make_article, make_quote, matching
):
    # The quote matches in its title, so it ranks first and is on the page either way.
    make_quote(title="Lighthouse keeper", quote="I keep the light.")
    Article.objects.bulk_create(
        Article(
            title=f"Report {n}",
            slug=f"report-{n}",
            body="Lighthouse news.",
            status="published",
            published_at=timezone.now() - timedelta(hours=1),
        )
        for n in range(matching)
    )
    # each kind's newest matches (which also count them) and their ranks (2 + 2); each
    # kind's items on the page with their snippets, and their bylines; the section menu
    with django_assert_num_queries(9):
        assert len(found(client, "lighthouse")) == min(matching + 1, 20)


def test_snippets_mark_the_words_and_escape_the_text(client, make_article):
    make_article(
        title="Unsafe",
        body="The <script>alert(1)</script> tag & a falcon flew <b>by</b>.",
    )
    [item] = found(client, "falcon")
    assert "<mark>falcon</mark>" in item.snippet
    html = client.get("/search/", {"q": "falcon"}).content.decode()
    assert "<script>alert" not in html
    assert "<b>by" not in html


def test_a_forged_mark_in_the_text_stays_text():
    marks = search.Marks()
    raw = f"a {marks.start}word{marks.stop} and <mark>x</mark>"
    assert marks.to_html(raw) == "a <mark>word</mark> and &lt;mark&gt;x&lt;/mark&gt;"


def test_fts5_syntax_in_a_query_is_only_words(client, make_article):
    make_article(title="Near the border")
    assert search.fts5_query('near* "border" OR-') == '"near" "border" "OR"'
    for query in ['near* "border"', "NEAR(border)", "title:border", "-", "'", '"']:
        assert client.get("/search/", {"q": query}).status_code == 200


def test_without_fts5_sqlite_falls_back_to_a_word_match(client, make_article, monkeypatch):
    if connection.vendor != "sqlite":
        pytest.skip("the fallback is SQLite's")
    monkeypatch.setattr(search_index, "fts5_available", lambda: False)
    article = make_article(title="Orchard", body="Apples.")
    assert search.engine() == "plain"
    assert found(client, "orchard") == [article]
    assert QuickQuote.objects.count() == 0


def test_postgresql_matches_through_the_gin_index(make_article):
    if connection.vendor != "postgresql":
        pytest.skip("the GIN index is PostgreSQL's")
    make_article(title="Glacier")
    # The match alone: with every row published, the planner may rather walk the
    # (status, published_at) index for so few rows.
    matching = search.matching(Article.objects.order_by(), "glacier")
    sql, params = matching.values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        # A table this small is read whole; forbidding that shows the index can serve.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    print(plan)
    assert "newsroom_article_search_idx" in plan


def test_a_word_in_most_of_the_archive_is_counted_only_up_to_a_limit(
    make_article, client, monkeypatch
):
    monkeypatch.setattr(search.SearchResults, "COUNT_LIMIT", 3)
    for n in range(5):
        make_article(title=f"Harbour {n}")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        html = client.get("/search/?q=harbour").content.decode()
    assert "More than 3 results" in html
    sql = [q["sql"].upper() for q in queries.captured_queries]
    assert not any("COUNT(" in one for one in sql)
    # Each kind's newest matches: one more than the limit, so the page knows there are more.
    newest = [
        one for one in sql if "ORDER BY" in one and "PUBLISHED_AT" in one and "LIMIT 4" in one
    ]
    assert len(newest) == 2, sql


def test_a_common_word_is_ranked_among_its_newest_matches(make_article, monkeypatch):
    """Ranking every match of a word in most of the archive reads most of the archive: the
    ranking runs over each kind's newest COUNT_LIMIT matches."""
    monkeypatch.setattr(search.SearchResults, "COUNT_LIMIT", 3)
    now = timezone.now()
    oldest = make_article(title="Harbour", published_at=now - timedelta(days=9))
    newer = [
        make_article(title=f"Story {n}", body="The harbour.", published_at=now - timedelta(days=n))
        for n in range(1, 5)
    ]
    results = search.search("harbour")
    assert results.count() == 3 and results.capped
    # The title match ranks first among the candidates, but it is not one of them.
    assert [item.pk for item in results[0:10]] == [item.pk for item in newer[:3]]
    assert oldest.pk not in {item.pk for item in results[0:10]}


def test_sqlite_ranks_the_matches_in_one_pass_over_the_index(make_article):
    if search.engine() != "fts5":
        pytest.skip("FTS5 is SQLite's")
    glacier = make_article(title="Glacier")
    other = make_article(title="Glacier lake", body="A glacier.")
    # bm25 counts each word's matches in every query it runs: a rank looked up per item,
    # in a subquery or by querying the index by rowid item by item, would read every match
    # once per item. The test database has no ANALYZE statistics, like most sites.
    with CaptureQueriesContext(connection) as captured:
        ranks = search.scores(Article, "glacier", [glacier.pk, other.pk])
    assert set(ranks) == {glacier.pk, other.pk}
    assert ranks[other.pk] > ranks[glacier.pk]  # the word twice, in the title and body
    (query,) = captured.captured_queries
    fts = search_index.fts_table(Article._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {query['sql']}")
        plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
    print(plan)
    # One scan of the word's matches: no rowid handed to FTS5 ("=" before the MATCH
    # column), no subquery.
    assert f"SCAN {fts} VIRTUAL TABLE INDEX 0:M" in plan, plan
    assert "SUBQUERY" not in plan and "INDEX 0:=" not in plan, plan
