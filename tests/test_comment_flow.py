"""Where a reader lands in the comment flow: errors at the form, the reply form under the
comment it answers, a refused comment sent somewhere real, and imported comments shown
without a time their source never gave."""

from __future__ import annotations

import json
import re
import shutil

import pytest
from django.test import Client

from newsroom.models import Article, Comment
from newsroom.pagecache import CACHE_HIT_HEADER
from tests.form_tokens import sent_form_token
from tests.test_caching import CSRF_INPUT
from tests.test_import_sources import DUMP, FIXTURES, run

pytestmark = pytest.mark.django_db


@pytest.fixture
def article(make_article):
    return make_article(title="Talks Resume")


def post(client, article, **fields):
    data = {
        "author_name": "Ann Reader",
        "author_email": "ann@example.org",
        "author_url": "",
        "body": "A thoughtful remark.",
        "honeypot": "",
        "token": sent_form_token(article, 10),
        **fields,
    }
    return client.post(f"/articles/{article.slug}/comments/", data)


def section_of(html: str, comment) -> str:
    """The comment's own <li>, up to the next comment's."""
    start = html.index(f'id="comment-{comment.pk}"')
    following = html.find('<li class="comment', start + 1)
    return html[start : following if following != -1 else len(html)]


# Errors at the form


def test_a_refused_comment_comes_back_at_the_form_with_a_summary(client, article):
    page = client.get(article.get_absolute_url()).content.decode()
    assert f'action="/articles/{article.slug}/comments/#comment-form"' in page

    response = post(client, article, body="", author_url="javascript:alert(1)")

    assert response.status_code == 400
    html = response.content.decode()
    summary = html[
        html.index('class="error-summary"') : html.index(
            "</div>", html.index('class="error-summary"')
        )
    ]
    assert 'role="alert"' in summary and "autofocus" in summary
    assert '<a href="#id_body">Comment: This field is required.</a>' in summary
    assert '<a href="#id_author_url">' in summary
    # The form posts back to itself at the form, so the reader stays there.
    assert f'action="/articles/{article.slug}/comments/#comment-form"' in html


# The reply form


def test_the_reply_form_sits_under_the_comment_it_answers(client, article, make_comment):
    first = make_comment(article, author_name="Bo <b>Critic</b>", status="approved")
    second = make_comment(article, author_name="Cy", status="approved")

    html = client.get(article.get_absolute_url(), {"reply": first.pk}).content.decode()

    under_first = section_of(html, first)
    assert 'id="comment-form"' in under_first
    assert "Replying to Bo &lt;b&gt;Critic&lt;/b&gt;" in under_first
    assert f'name="parent" value="{first.pk}"' in under_first
    assert f'href="/articles/{article.slug}/#comment-{first.pk}">Cancel</a>' in under_first
    assert 'id="comment-form"' not in section_of(html, second)
    assert html.count('id="comment-form"') == 1
    assert "Leave a comment of your own" in html


def test_reply_links_keep_the_comment_page(client, article, make_comment, settings):
    settings.NEWSROOM_COMMENTS_PER_PAGE = 1
    make_comment(article, status="approved")
    later = make_comment(article, status="approved")
    html = client.get(article.get_absolute_url(), {"comments": 2}).content.decode()
    assert f'href="?comments=2&amp;reply={later.pk}#comment-form"' in html
    placed = client.get(article.get_absolute_url(), {"comments": 2, "reply": later.pk})
    assert 'id="comment-form"' in section_of(placed.content.decode(), later)


def test_a_reply_to_a_comment_not_on_the_page_keeps_the_form_at_the_foot(
    client, article, make_comment
):
    shown = make_comment(article, status="approved")
    html = client.get(article.get_absolute_url(), {"reply": shown.pk + 1000}).content.decode()
    list_end = html.index("</ol>", html.index('class="comment-list"'))
    assert html.index('id="comment-form"') > list_end
    assert html.count('id="comment-form"') == 1 and "Replying to" not in html


def test_a_refused_reply_comes_back_under_its_comment(client, article, make_comment):
    parent = make_comment(article, author_name="Bo", status="approved")
    response = post(client, article, parent=str(parent.pk), body="")
    html = response.content.decode()
    assert response.status_code == 400
    under = section_of(html, parent)
    assert 'class="error-summary"' in under and "Replying to Bo" in under
    assert f'href="/articles/{article.slug}/#comment-{parent.pk}">Cancel</a>' in under


# A comment nobody will see


def test_a_comment_held_as_spam_sends_its_poster_somewhere_real(client, article, settings):
    settings.NEWSROOM_MODERATION = {"blocked_words": ["casino"]}
    response = post(client, article, body="Visit my casino")
    assert Comment.objects.get().status == Comment.Status.SPAM
    assert response["Location"] == f"{article.get_absolute_url()}#comments"
    assert 'id="comments"' in client.get(response["Location"]).content.decode()


# Imported comments


def test_imported_comments_show_no_time_their_source_did_not_give(tmp_path):
    archive = tmp_path / "archive"
    shutil.copytree(FIXTURES, archive)
    run(archive, "--undated-as", "2012-05-01")
    article = Article.objects.get(source_path__endswith=DUMP)
    imported = article.comments.filter(status=Comment.Status.APPROVED)
    assert imported.exists() and not imported.filter(time_known=True).exists()

    html = Client().get(article.get_absolute_url()).content.decode()
    comment_list = html[html.index('class="comment-list"') :]
    assert "<time" not in comment_list.split("</ol>")[0]
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    data = [json.loads(block) for block in blocks]
    comments = [c for d in data for c in d.get("comment", [])]
    assert comments and all("dateCreated" not in c for c in comments)


def test_a_comment_posted_on_the_site_shows_its_time(client, article, make_comment):
    comment = make_comment(article, status="approved")
    assert "<time" in section_of(client.get(article.get_absolute_url()).content.decode(), comment)


def test_a_cached_reply_page_gives_each_reader_their_own_tokens(article, make_comment):
    parent = make_comment(article, status="approved")
    url = f"{article.get_absolute_url()}?reply={parent.pk}"
    pages = [Client().get(url) for _ in range(2)]
    assert [page[CACHE_HIT_HEADER] for page in pages] == ["miss", "hit"]
    tokens = [CSRF_INPUT.search(page.content.decode()).group(1) for page in pages]
    assert tokens[0] != tokens[1]
    assert all('id="comment-form"' in section_of(p.content.decode(), parent) for p in pages)


def test_a_cached_reply_page_keeps_no_query_a_reader_added(article, make_comment):
    parent = make_comment(article, status="approved")
    Client().get(article.get_absolute_url(), {"reply": parent.pk, "x": "planted"})
    html = Client().get(article.get_absolute_url(), {"reply": parent.pk}).content.decode()
    assert "planted" not in html


def test_no_reply_box_under_a_comment_that_is_not_approved(client, article):
    pending = Comment.objects.create(article=article, author_name="Pat", body="Held.")
    session = client.session
    session["newsroom_own_comments"] = [pending.pk]
    session.save()
    html = client.get(article.get_absolute_url(), {"reply": pending.pk}).content.decode()
    assert "Held." in html and "Replying to" not in html
