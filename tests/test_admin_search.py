"""The admin lists' search: articles and quick quotes through the search index (drafts and
scheduled items too) or by an exact slug or source file; the moderation log by a rule or the
start of a moderator's name. Each is served by indexes: none reads every row's text.

Runs on whichever database the suite uses: PostgreSQL's stored tsvector or SQLite's FTS5.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from newsroom import search
from newsroom.discussion import decisions
from newsroom.models import Article, Comment, CommentStatusChange
from quickquotes.models import QuickQuote

pytestmark = pytest.mark.django_db

ARTICLES = reverse("admin:newsroom_article_changelist")
QUOTES = reverse("admin:quickquotes_quickquote_changelist")
LOG = reverse("admin:newsroom_commentstatuschange_changelist")

# What a query that reads the full-text index says on each database.
INDEX_READ = {"postgresql": "@@ websearch_to_tsquery", "sqlite": "_fts MATCH"}


def unindexed(queries: list[dict]) -> list[str]:
    """Queries that match text by LIKE (a substring or, on PostgreSQL, case-folded)."""
    return [q["sql"] for q in queries if re.search(r"\bLIKE\b|UPPER\(", q["sql"], re.IGNORECASE)]


def assert_through_the_index(queries: list[dict]) -> None:
    assert unindexed(queries) == []
    assert any(INDEX_READ[connection.vendor] in q["sql"] for q in queries)


def found(client, url: str, query: str) -> list:
    """The rows an admin list shows for a search, which must go through the index."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, {"q": query})
    assert response.status_code == 200
    assert_through_the_index(captured.captured_queries)
    return list(response.context["cl"].result_list)


def test_an_article_is_found_by_a_word_of_its_body(admin_client, make_article):
    article = make_article(title="Overnight", body="The **ceasefire** held until dawn.")
    make_article(title="Other news", body="Nothing held.")
    assert found(admin_client, ARTICLES, "ceasefire") == [article]
    assert found(admin_client, ARTICLES, "dawn ceasefire") == [article]


def test_an_article_is_found_by_a_word_in_armenian(admin_client, make_article):
    article = make_article(title="Elsewhere", body="Նախագահը այցելեց Հայաստան այսօր։")
    make_article(title="Nothing", body="Nothing to see.")
    # Typed in lower case: a LIKE on SQLite folds the case of ASCII letters only.
    assert found(admin_client, ARTICLES, "հայաստան") == [article]


def test_an_item_is_found_by_its_exact_slug_or_source_file(admin_client, make_article):
    slugged = make_article(title="Talks", slug="peace-talks-resume-2024")
    make_article(title="Other", body="The peace talks resume.")
    imported = make_article(title="Imported", source_path="content/article/2019/old-post.md")
    assert found(admin_client, ARTICLES, "peace-talks-resume-2024") == [slugged]
    assert found(admin_client, ARTICLES, " content/article/2019/old-post.md ") == [imported]


def test_drafts_and_scheduled_items_are_found(admin_client, make_article):
    draft = make_article(title="Embargo draft", status=Article.Status.DRAFT, published_at=None)
    later = make_article(title="Embargo later", published_at=timezone.now() + timedelta(days=1))
    live = make_article(title="Embargo live")
    assert set(found(admin_client, ARTICLES, "embargo")) == {draft, later, live}


def test_a_quick_quote_is_found_by_a_word_of_its_quote(admin_client, make_quote):
    quote = make_quote(title="On bread", quote="Bread before ballots.")
    make_quote(title="On water", quote="Water first.")
    assert found(admin_client, QUOTES, "ballots") == [quote]


def test_a_quick_quote_is_found_by_its_speaker_or_citation(admin_client, make_quote):
    """Who said it and where are in the index: the admin and the site search find them."""
    quote = make_quote(title="On bread", speaker="Anahit Sargsyan", citation="Azatutyun radio")
    make_quote(title="On water", speaker="Someone Else", citation="A newspaper")
    assert found(admin_client, QUOTES, "Sargsyan") == [quote]
    assert found(admin_client, QUOTES, "azatutyun") == [quote]
    assert [item.pk for item in search.search("sargsyan")[0:10]] == [quote.pk]


@pytest.mark.parametrize("url", [ARTICLES, QUOTES])
@pytest.mark.parametrize("rows", [1, 50])
def test_a_search_reads_the_index_in_the_same_queries_however_many_match(
    admin_client, make_article, make_quote, django_assert_num_queries, url, rows
):
    for n in range(rows):
        make_article(title=f"Harbour {n}", body="The harbour reopened.")
        make_quote(title=f"Harbour {n}", quote="The harbour reopened.")
    # Session, user, the section filter's choices, the list's count and rows, and the year
    # filter's two (the first and last publication times).
    with django_assert_num_queries(7) as captured:
        response = admin_client.get(url, {"q": "harbour reopened"})
    assert len(response.context["cl"].result_list) == rows
    assert_through_the_index(captured.captured_queries)


@pytest.mark.parametrize(
    ("model", "indexes"),
    [
        pytest.param(
            Article, ["newsroom_article_search_idx", "newsroom_article_slug"], id="articles"
        ),
        pytest.param(
            QuickQuote,
            ["quickquotes_quickquote_search_idx", "quickquotes_quickquote_slug"],
            id="quick-quotes",
        ),
        pytest.param(CommentStatusChange, ["log_rule_idx", "log_actor_idx"], id="log"),
    ],
)
def test_postgresql_serves_each_search_from_indexes(model, indexes):
    if connection.vendor != "postgresql":
        pytest.skip("the plan is PostgreSQL's")
    model_admin = admin.site._registry[model]
    queryset, _ = model_admin.get_search_results(None, model.objects.order_by(), "glacier")
    sql, params = queryset.values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        # A table this small is read whole; forbidding that shows the indexes can serve.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    print(plan)
    assert "Seq Scan" not in plan
    assert all(index in plan for index in indexes)


def test_the_moderation_log_is_searched_by_a_moderator_or_a_rule(
    admin_client, django_user_model, make_article, make_comment
):
    anna = django_user_model.objects.create_user("anna", is_staff=True)
    boris = django_user_model.objects.create_user("boris", is_staff=True)
    article = make_article()
    first, second = make_comment(article), make_comment(article)
    decisions.decide([first], Comment.Status.APPROVED, actor=anna)
    decisions.decide([second], Comment.Status.REJECTED, actor=boris)
    decisions.decide([second], Comment.Status.SPAM, rule="blocked_words")

    def entries(query: str) -> set[tuple[str, str]]:
        with CaptureQueriesContext(connection) as captured:
            rows = admin_client.get(LOG, {"q": query}).context["cl"].result_list
        assert not [q for q in captured.captured_queries if "%" + query in q["sql"]]
        return {(entry.actor_name, entry.to_status) for entry in rows}

    assert entries("anna") == {("anna", "approved")}
    assert entries("bor") == {("boris", "rejected")}
    # The start of a name, not any part of it (that would read every row of the log).
    assert entries("nna") == set()
    assert entries("blocked words") == {("", "spam")}
    assert entries("blocked_words") == {("", "spam")}


@pytest.mark.parametrize(
    ("url", "says"),
    [
        (ARTICLES, ["title, description or body", "drafts", "exact slug or source file"]),
        (
            QUOTES,
            ["title, description, quote, summary, speaker, citation or body", "exact slug"],
        ),
        (LOG, ["rule", "start of a moderator's user name"]),
    ],
)
def test_each_search_says_what_it_matches(admin_client, url, says):
    html = admin_client.get(url).content.decode()
    help_text = re.search(r'id="searchbar_helptext">(.*?)<', html, re.DOTALL)
    assert help_text
    for words in says:
        assert words in help_text.group(1).replace("&#x27;", "'")


def test_the_lists_offer_publication_years_without_reading_every_row(
    admin_client, make_article, settings
):
    """Years from the first to the last publication time (two index lookups, where Django's
    date hierarchy runs a DISTINCT over every row's date); a year is a range of times."""
    settings.TIME_ZONE = "Asia/Yerevan"
    zone = timezone.get_current_timezone()
    old = make_article(title="Old", published_at=timezone.datetime(2019, 12, 31, 23, tzinfo=zone))
    new = make_article(title="New", published_at=timezone.datetime(2022, 1, 1, 0, tzinfo=zone))
    with CaptureQueriesContext(connection) as captured:
        response = admin_client.get(ARTICLES)
    assert "DISTINCT" not in " ".join(q["sql"] for q in captured.captured_queries).upper()
    html = response.content.decode()
    assert all(f"?year={year}" in html for year in (2019, 2020, 2021, 2022))
    assert "?year=2018" not in html and "?year=2023" not in html

    def listed(year: str) -> list:
        response = admin_client.get(ARTICLES, {"year": year})
        assert response.status_code in (200, 302)  # Django sends unknown choices back
        return list(response.context["cl"].result_list) if response.status_code == 200 else []

    assert listed("2019") == [old]
    assert listed("2022") == [new]
    for nonsense in ["0", "99999", "²⁰²²", "twenty"]:
        assert len(listed(nonsense)) in (0, 2)
