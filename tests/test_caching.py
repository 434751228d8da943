"""The page cache: what anonymous readers get, what invalidates it, and who bypasses it."""

import gzip
import re
import time
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.core import signing
from django.core.cache import cache
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client
from django.utils import timezone

from newsroom.discussion import decisions
from newsroom.discussion.forms import form_token, read_form_token
from newsroom.models import Article, Comment
from newsroom.pagecache import CACHE_HIT_HEADER, bump_articles, bump_site, pages, versions

pytestmark = pytest.mark.django_db

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
FORM_TOKEN = re.compile(r'name="token" value="([^"]+)"')
# The marks a page is rendered with where per-visitor values go (pagecache.Marks).
MARK = re.compile(r"newsroom-[0-9a-f]{32}-")


@pytest.fixture
def article(make_article):
    return make_article(title="Cached article")


def test_second_anonymous_request_is_a_hit_without_queries(
    client, article, django_assert_num_queries
):
    first = client.get(article.get_absolute_url())
    assert first[CACHE_HIT_HEADER] == "miss"
    with django_assert_num_queries(0):
        second = Client().get(article.get_absolute_url())
    assert second[CACHE_HIT_HEADER] == "hit"
    assert second.content.count(b"Cached article") == first.content.count(b"Cached article")


def test_each_visitor_gets_their_own_csrf_token_and_a_fresh_form_token(article):
    pages = [Client().get(article.get_absolute_url()) for _ in range(2)]
    assert [p[CACHE_HIT_HEADER] for p in pages] == ["miss", "hit"]
    tokens = [CSRF_INPUT.search(p.content.decode()).group(1) for p in pages]
    assert tokens[0] != tokens[1]
    for page in pages:
        html = page.content.decode()
        assert not MARK.search(html)
        assert "csrftoken" in page.cookies
        data = read_form_token(FORM_TOKEN.search(html).group(1))
        assert data["a"] == article.pk and abs(data["t"] - time.time()) < 5


@pytest.mark.parametrize("accept", ["", "gzip"])
def test_a_reader_can_post_from_a_cached_page(article, settings, accept):
    settings.NEWSROOM_COMMENT_MIN_SECONDS = 0
    Client().get(article.get_absolute_url(), HTTP_ACCEPT_ENCODING=accept)  # fills the cache
    reader = Client(enforce_csrf_checks=True)
    page = reader.get(article.get_absolute_url(), HTTP_ACCEPT_ENCODING=accept)
    assert page[CACHE_HIT_HEADER] == "hit"
    html = gunzip(page) if accept else page.content.decode()
    response = reader.post(
        f"/articles/{article.slug}/comments/",
        {
            "csrfmiddlewaretoken": CSRF_INPUT.search(html).group(1),
            "token": FORM_TOKEN.search(html).group(1),
            "author_name": "Ann",
            "body": "Posted from a cached page.",
        },
    )
    assert response.status_code == 302
    assert Comment.objects.filter(body="Posted from a cached page.").exists()
    # Now the reader has a session: they see their pending comment, never a cached page.
    fresh = reader.get(article.get_absolute_url())
    assert CACHE_HIT_HEADER not in fresh
    assert "Posted from a cached page." in fresh.content.decode()
    assert (
        "Posted from a cached page."
        not in Client().get(article.get_absolute_url()).content.decode()
    )


def test_approving_a_comment_refreshes_the_article_page(
    article, make_comment, django_capture_on_commit_callbacks
):
    comment = make_comment(article, body="Wait for it")
    Client().get(article.get_absolute_url())
    with django_capture_on_commit_callbacks(execute=True):
        decisions.approve([comment])
    page = Client().get(article.get_absolute_url())
    assert page[CACHE_HIT_HEADER] == "miss"
    assert "Wait for it" in page.content.decode()


def test_a_pending_comment_leaves_the_cached_page_alone(
    article, make_comment, django_capture_on_commit_callbacks
):
    Client().get(article.get_absolute_url())
    with django_capture_on_commit_callbacks(execute=True):
        make_comment(article)
    assert Client().get(article.get_absolute_url())[CACHE_HIT_HEADER] == "hit"


def test_publishing_an_item_refreshes_the_listings(
    make_article, django_capture_on_commit_callbacks
):
    Client().get("/")
    assert Client().get("/")[CACHE_HIT_HEADER] == "hit"
    # However many saves a transaction makes, the pages are invalidated once, at its commit.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        article = make_article(title="Fresh news")
        article.tags.add("one", "two")
        article.title = "Fresh news, retitled"
        article.save()
    assert len(callbacks) == 1
    page = Client().get("/")
    assert page[CACHE_HIT_HEADER] == "miss"
    assert "Fresh news, retitled" in page.content.decode()


def test_logged_in_users_always_get_a_fresh_page(admin_client, article):
    Client().get(article.get_absolute_url())
    response = admin_client.get(article.get_absolute_url())
    assert CACHE_HIT_HEADER not in response


def test_error_pages_are_not_cached(client):
    client.get("/articles/missing/")
    assert CACHE_HIT_HEADER not in client.get("/articles/missing/")


def test_pages_are_served_when_the_cache_is_down(client, article, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "newsroom.cache_backends.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        }
    }
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert CACHE_HIT_HEADER not in response
    assert "Cached article" in response.content.decode()


def test_form_token_accepts_an_article_or_its_id(article):
    assert read_form_token(form_token(article.pk))["a"] == article.pk


def test_an_invalidation_lost_while_the_cache_was_down_is_delivered_later(
    article, make_comment, monkeypatch, django_capture_on_commit_callbacks
):
    comment = make_comment(article, body="Approved during the outage")
    Client().get(article.get_absolute_url())  # cached without the comment
    real_incr = versions._incr

    def down(key):
        raise ConnectionError("cache unreachable")

    monkeypatch.setattr(versions, "_incr", down)
    with django_capture_on_commit_callbacks(execute=True):
        decisions.approve([comment])
    assert versions._undelivered
    # Still down: this process serves the page uncached rather than the stale copy.
    page = Client().get(article.get_absolute_url())
    assert CACHE_HIT_HEADER not in page
    assert "Approved during the outage" in page.content.decode()

    monkeypatch.setattr(versions, "_incr", real_incr)
    page = Client().get(article.get_absolute_url())
    assert not versions._undelivered
    assert page[CACHE_HIT_HEADER] == "miss"
    assert "Approved during the outage" in page.content.decode()


def test_an_invalidation_recorded_for_another_cache_is_left_to_it(article, settings):
    """Two sites on one database with caches of their own: each delivers and clears only
    the invalidations its own cache missed."""
    from newsroom.models import UndeliveredInvalidation

    other = "another-site:1:" + versions.article_key(article.slug)
    UndeliveredInvalidation.objects.create(key=other)
    mine = versions.recorded_key(versions.article_key(article.slug))
    UndeliveredInvalidation.objects.create(key=mine)
    versions.deliver_recorded()
    assert list(UndeliveredInvalidation.objects.values_list("key", flat=True)) == [other]


def test_a_hit_never_looks_in_the_database_for_undelivered_invalidations(
    article, settings, django_assert_num_queries
):
    settings.NEWSROOM_CACHE_RECOVERY_SECONDS = 0  # however often the watcher looks
    Client().get(article.get_absolute_url())
    with django_assert_num_queries(0):
        assert Client().get(article.get_absolute_url())[CACHE_HIT_HEADER] == "hit"


def test_the_watcher_delivers_an_invalidation_another_process_recorded(article):
    from newsroom.models import UndeliveredInvalidation

    Client().get(article.get_absolute_url())
    assert Client().get(article.get_absolute_url())[CACHE_HIT_HEADER] == "hit"
    # Another app server could not reach the cache when the article's comments changed.
    UndeliveredInvalidation.objects.create(
        key=versions.recorded_key(versions.article_key(article.slug))
    )
    versions.deliver_recorded()  # what each process's watcher thread does every second
    page = Client().get(article.get_absolute_url())
    assert page[CACHE_HIT_HEADER] == "miss"
    assert not UndeliveredInvalidation.objects.exists()


def test_each_process_runs_one_watcher_that_looks_every_interval(settings, monkeypatch):
    import threading

    settings.NEWSROOM_CACHE_WATCHER = True
    settings.NEWSROOM_CACHE_RECOVERY_SECONDS = 0.01
    looks, looked_twice = [], threading.Event()

    def deliver_recorded():
        looks.append(threading.current_thread().name)
        if len(looks) == 2:
            looked_twice.set()
        raise ConnectionError("the cache is still down")  # it keeps looking

    monkeypatch.setattr(versions, "deliver_recorded", deliver_recorded)
    versions.stop_watcher()
    try:
        # The process's first look-up looks itself (its watcher has not looked yet).
        with pytest.raises(ConnectionError):
            versions.deliver_invalidations()
        versions.deliver_invalidations()  # the same process: no second thread, no look
        assert looked_twice.wait(5)
    finally:
        versions.stop_watcher()
    assert looks[0] == "MainThread"
    assert set(looks[1:]) == {"newsroom-cache-watcher"}
    watchers = [t for t in threading.enumerate() if t.name == "newsroom-cache-watcher"]
    assert len(watchers) <= 1


def test_a_process_trusts_the_cache_only_after_its_first_look_for_lost_invalidations(
    settings, article, monkeypatch
):
    """A process that never looked up a page before (a new worker) sends the invalidations
    other processes could not before its first hit, not at its watcher's first look."""
    from newsroom.models import UndeliveredInvalidation

    Client().get(article.get_absolute_url())  # cached
    UndeliveredInvalidation.objects.create(
        key=versions.recorded_key(versions.article_key(article.slug))
    )
    settings.NEWSROOM_CACHE_WATCHER = True
    settings.NEWSROOM_CACHE_RECOVERY_SECONDS = 3600  # the watcher itself will not look
    versions.stop_watcher()
    try:
        response = Client().get(article.get_absolute_url())
    finally:
        versions.stop_watcher()
    assert response[CACHE_HIT_HEADER] == "miss"
    assert not UndeliveredInvalidation.objects.exists()


def test_invalidations_the_watcher_could_not_send_are_sent_before_the_next_hit(
    article, monkeypatch
):
    from newsroom.models import UndeliveredInvalidation

    Client().get(article.get_absolute_url())
    UndeliveredInvalidation.objects.create(
        key=versions.recorded_key(versions.article_key(article.slug))
    )
    incr = versions._incr

    def down(key):
        raise ConnectionError("the cache is unreachable")

    monkeypatch.setattr(versions, "_incr", down)
    with pytest.raises(ConnectionError):
        versions.deliver_recorded()  # as the watcher does, while the cache is down
    monkeypatch.setattr(versions, "_incr", incr)
    # The cache is back; the next look-up sends it before it trusts an entry.
    assert Client().get(article.get_absolute_url())[CACHE_HIT_HEADER] == "miss"
    assert not versions._undelivered


def test_the_comment_list_is_rendered_once_per_change_of_the_comments(
    admin_client, article, make_comment, django_capture_on_commit_callbacks
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    comment = make_comment(article, body="Held for now")

    def comment_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            admin_client.get(article.get_absolute_url())
        # The comments and their counts (newsroom_commentcount).
        return sum('"newsroom_comment' in q["sql"] for q in queries.captured_queries)

    # Logged in, so no page cache: the comment list comes from its own cache entry.
    # Rendering it: the counts, the page's top level, the pings; the replies once there
    # is a top level to answer.
    assert comment_queries() == 3
    assert comment_queries() == 0
    with django_capture_on_commit_callbacks(execute=True):
        decisions.approve([comment])
    assert comment_queries() == 4
    assert "Held for now" in admin_client.get(article.get_absolute_url()).content.decode()


def test_the_blank_comment_form_is_kept_and_filled_in_for_each_reader(article, settings):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0  # every request renders its page
    readers = [Client(enforce_csrf_checks=True) for _ in range(2)]
    pages = [reader.get(article.get_absolute_url()).content.decode() for reader in readers]
    assert CSRF_INPUT.search(pages[0]).group(1) != CSRF_INPUT.search(pages[1]).group(1)
    for html in pages:
        assert not MARK.search(html)
        data = read_form_token(FORM_TOKEN.search(html).group(1))
        assert data["a"] == article.pk
    # The second reader's form came from the cache: the same form, other tokens.
    forms = [
        FORM_TOKEN.sub("", CSRF_INPUT.sub("", html.split('id="comment-form"')[1])) for html in pages
    ]
    assert forms[0] == forms[1]
    # And a reader can post with it.
    settings.NEWSROOM_COMMENT_MIN_SECONDS = 0
    response = readers[1].post(
        f"/articles/{article.slug}/comments/",
        {
            "csrfmiddlewaretoken": CSRF_INPUT.search(pages[1]).group(1),
            "token": FORM_TOKEN.search(pages[1]).group(1),
            "author_name": "Reader",
            "author_email": "reader@example.org",
            "body": "From the kept form.",
        },
    )
    assert response.status_code == 302
    assert Comment.objects.get().body == "From the kept form."


def test_a_reply_form_is_kept_apart_from_the_plain_form(article, make_comment, settings):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0
    parent = make_comment(article, status=Comment.Status.APPROVED)
    url = article.get_absolute_url()
    for _ in range(2):  # the second round comes from the cache
        plain = Client().get(url).content.decode()
        reply = Client().get(f"{url}?reply={parent.pk}").content.decode()
        assert "Leave a comment" in plain and f'name="parent" value="{parent.pk}"' not in plain
        assert "<h3>Reply</h3>" in reply and f'name="parent" value="{parent.pk}"' in reply


def test_form_tokens_are_signed_with_the_current_key(article, settings):
    now = time.time()
    first = form_token(article, now=now)
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40
    second = form_token(article, now=now)
    assert second != first
    assert read_form_token(second)["a"] == article.pk
    with pytest.raises(signing.BadSignature):
        read_form_token(first)


def test_the_article_and_its_metadata_are_rendered_once_per_change(
    article, settings, django_assert_num_queries
):
    from newsroom.models import Author

    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0  # every request runs the view
    article.authors.add(Author.objects.create(name="Ana Writer", slug="ana-writer"))
    article.tags.add("Harbour")
    url = article.get_absolute_url()
    first = Client().get(url).content.decode()
    with django_assert_num_queries(0):  # the article's row and the rest come from the cache
        second = Client().get(url).content.decode()
    for html in (first, second):
        assert "Ana Writer" in html and "Harbour" in html
        assert '"@type": "NewsArticle"' in html and '<link rel="canonical"' in html
    assert CSRF_INPUT.sub("", FORM_TOKEN.sub("", first)) == CSRF_INPUT.sub(
        "", FORM_TOKEN.sub("", second)
    )
    Author.objects.filter(slug="ana-writer").update(name="Ana W.")
    assert "Ana Writer" in Client().get(url).content.decode()  # kept until invalidated
    bump_site()  # what saving an author does once its transaction commits
    third = Client().get(url).content.decode()
    assert "Ana W." in third and "Ana Writer" not in third


def test_a_staff_preview_is_never_kept(admin_client, make_article, django_assert_num_queries):
    draft = make_article(title="Draft", status=Article.Status.DRAFT, published_at=None)
    admin_client.get(draft.get_absolute_url())
    # Session, user, article, bylines, tags, the section menu; the comment list has its own
    # cache entry.
    with django_assert_num_queries(6):
        response = admin_client.get(draft.get_absolute_url())
    assert "Preview: this is a draft" in response.content.decode()


def test_a_kept_article_row_never_outlives_its_publication(article, settings, admin_client):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0  # the page's parts, not the whole page
    url = article.get_absolute_url()
    assert Client().get(url).status_code == 200  # keeps the row with the parts
    Article.objects.filter(pk=article.pk).update(status=Article.Status.DRAFT)
    assert Client().get(url).status_code == 200  # kept until invalidated
    bump_site()  # what saving the article does once its transaction commits
    assert Client().get(url).status_code == 404
    assert "Preview: this is a draft" in admin_client.get(url).content.decode()


def test_a_scheduled_articles_row_is_not_kept(admin_client, make_article, settings):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0
    soon = make_article(title="Soon", published_at=timezone.now() + timedelta(hours=1))
    for _ in range(2):
        assert "Preview" in admin_client.get(soon.get_absolute_url()).content.decode()
    assert Client().get(soon.get_absolute_url()).status_code == 404


def count_cache_calls(monkeypatch) -> list[str]:
    """The calls the page cache makes from here on (not those they make themselves)."""
    calls, depth = [], [0]
    for method in ("get", "get_many", "set", "set_many"):
        original = getattr(cache, method)

        def counted(*args, _original=original, _method=method, **kwargs):
            if not depth[0]:  # the local-memory cache's get_many calls get itself
                calls.append(_method)
            depth[0] += 1
            try:
                return _original(*args, **kwargs)
            finally:
                depth[0] -= 1

        monkeypatch.setattr(cache, method, counted)
    return calls


def test_an_articles_kept_parts_come_in_one_round_trip_to_the_cache(article, settings, monkeypatch):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0
    Client().get(article.get_absolute_url())  # renders and keeps the parts
    calls = count_cache_calls(monkeypatch)
    html = Client().get(article.get_absolute_url()).content.decode()
    assert calls == ["get_many"]  # the versions with the comment list, form and article
    assert "Cached article" in html and 'id="comment-form"' in html


@pytest.mark.parametrize("accept", ["", "gzip, deflate, br"])
def test_a_cached_page_comes_in_one_round_trip_to_the_cache(article, monkeypatch, accept):
    url = article.get_absolute_url()
    calls = count_cache_calls(monkeypatch)
    Client().get(url, HTTP_ACCEPT_ENCODING=accept)
    # A miss: the versions with the page, then with the page's parts; then the parts are
    # kept, then the page in both forms (as text and compressed).
    assert calls == ["get_many", "get_many", "set_many", "set_many"]
    calls.clear()
    assert Client().get(url, HTTP_ACCEPT_ENCODING=accept)[CACHE_HIT_HEADER] == "hit"
    assert calls == ["get_many"]


def gunzip(response) -> str:
    assert response["Content-Encoding"] == "gzip"
    return gzip.decompress(response.content).decode()


def test_readers_whose_browser_accepts_gzip_get_the_page_compressed(article):
    url = article.get_absolute_url()
    pages = [Client().get(url, HTTP_ACCEPT_ENCODING="gzip, deflate, br") for _ in range(2)]
    plain = Client().get(url)
    assert [p[CACHE_HIT_HEADER] for p in [*pages, plain]] == ["miss", "hit", "hit"]
    assert "Content-Encoding" not in plain
    htmls = [gunzip(page) for page in pages]
    for page in [*pages, plain]:
        assert "Accept-Encoding" in page["Vary"]
        assert "csrftoken" in page.cookies
    without_tokens = {CSRF_INPUT.sub("", FORM_TOKEN.sub("", html)) for html in htmls}
    assert without_tokens == {CSRF_INPUT.sub("", FORM_TOKEN.sub("", plain.content.decode()))}
    assert len(pages[1].content) < len(plain.content) / 2
    # Each reader still gets their own token, matching their own cookie.
    tokens = [CSRF_INPUT.search(html).group(1) for html in htmls]
    assert tokens[0] != tokens[1]
    for page, token in zip(pages, tokens, strict=True):
        assert _unmask_cipher_token(token) == page.cookies["csrftoken"].value


def test_pages_without_a_form_are_compressed_too(client, article):
    client.get("/")
    page = Client().get("/", HTTP_ACCEPT_ENCODING="gzip")
    assert page[CACHE_HIT_HEADER] == "hit"
    assert "Cached article" in gunzip(page)


def test_an_out_of_date_entry_is_replaced(article, make_comment):
    url = article.get_absolute_url()
    Client().get(url)
    bump_articles([article.slug])
    assert Client().get(url)[CACHE_HIT_HEADER] == "miss"
    assert Client().get(url)[CACHE_HIT_HEADER] == "hit"


# --- hits served by PageCacheMiddleware --------------------------------------------------

MIDDLEWARE = "newsroom.pagecache.PageCacheMiddleware"


def test_the_middleware_serves_a_hit_before_sessions_and_authentication(
    article, django_assert_num_queries
):
    Client().get(article.get_absolute_url())
    with django_assert_num_queries(0):
        hit = Client().get(article.get_absolute_url())
    assert hit[CACHE_HIT_HEADER] == "hit"
    # Served before AuthenticationMiddleware and the view: the request never got a user.
    assert not hasattr(hit.wsgi_request, "user")
    assert not hasattr(hit.wsgi_request, "session")


def headers_of(response) -> dict:
    headers = {name: value for name, value in response.items() if name != "Content-Length"}
    headers["Vary"] = sorted(value.strip() for value in headers.get("Vary", "").split(","))
    return {**headers, "cookies": sorted(response.cookies)}


@pytest.mark.parametrize("accept", ["", "gzip"])
def test_a_hit_is_the_same_with_or_without_the_middleware(article, settings, accept):
    url = article.get_absolute_url()
    Client().get(url, HTTP_ACCEPT_ENCODING=accept)
    early = Client().get(url, HTTP_ACCEPT_ENCODING=accept)
    settings.MIDDLEWARE = [name for name in settings.MIDDLEWARE if name != MIDDLEWARE]
    late = Client().get(url, HTTP_ACCEPT_ENCODING=accept)
    assert hasattr(late.wsgi_request, "user") and not hasattr(early.wsgi_request, "user")
    assert headers_of(early) == headers_of(late)
    assert early["X-Frame-Options"] == "DENY"
    assert "Cookie" in early["Vary"] and "Accept-Encoding" in early["Vary"]
    pages = [gunzip(r) if accept else r.content.decode() for r in (early, late)]
    assert len({CSRF_INPUT.sub("", FORM_TOKEN.sub("", page)) for page in pages}) == 1


def test_a_reader_with_a_session_passes_through(article, client, django_assert_num_queries):
    Client().get(article.get_absolute_url())
    client.cookies[django_settings.SESSION_COOKIE_NAME] = "no-such-session"
    response = client.get(article.get_absolute_url())
    assert CACHE_HIT_HEADER not in response
    assert hasattr(response.wsgi_request, "user")


def test_a_miss_is_looked_up_once(article, monkeypatch):
    calls = count_cache_calls(monkeypatch)
    Client().get("/")
    assert calls == ["get_many", "set_many"]  # by the middleware; then stored by the view


def test_the_middleware_knows_which_paths_are_cached_pages(article, settings):
    route = pages.cached_page_route
    article_query = ("reply", "comments", "order", "thread")
    assert route(article.get_absolute_url(), None) == (article.slug, article_query)
    assert route("/", None) == (None, ("before", "after"))
    assert route("/feeds/rss/", None) == (None, ())
    assert route("/admin/login/", None) is None
    assert route("/no/such/page/", None) is None
    # Django replaces its resolver when the URLconf changes: so does the answer.
    settings.ROOT_URLCONF = "tests.urls_uncached"
    assert route("/", None) is None
    assert Client().get("/").content == b"plain"


def test_long_paths_are_resolved_every_time(article):
    long_path = "/articles/" + "x" * pages.REMEMBERED_PATH_LENGTH + "/"
    article_query = ("reply", "comments", "order", "thread")
    assert pages.cached_page_route(long_path, None) == ("x" * 300, article_query)
    cached = pages._cached_page_route.cache_info().currsize
    pages.cached_page_route(long_path + "y/", None)
    assert pages._cached_page_route.cache_info().currsize == cached


def test_with_the_csrf_secret_in_the_session_the_views_serve_the_cache(article, settings):
    settings.CSRF_USE_SESSIONS = True
    url = article.get_absolute_url()
    Client().get(url)
    response = Client().get(url)
    assert hasattr(response.wsgi_request, "session")  # not served by the middleware
    assert response.status_code == 200


def test_pages_for_another_host_are_kept_apart(article, settings):
    settings.ALLOWED_HOSTS = ["news.example.org", "www.news.example.org"]
    url = article.get_absolute_url()
    first = Client(HTTP_HOST="news.example.org").get(url)
    other = Client(HTTP_HOST="www.news.example.org").get(url)
    assert [first[CACHE_HIT_HEADER], other[CACHE_HIT_HEADER]] == ["miss", "miss"]
    assert 'href="http://www.news.example.org/' in other.content.decode()
    assert Client(HTTP_HOST="evil.example.com").get(url).status_code == 400
