"""Hostile requests: oversized, malformed, injected or redirecting input is refused clearly.

A refusal is a 4xx that says what went wrong (next to the field, for the comment form),
never a 500, and leaves nothing stored; a redirect a client can steer never leaves the site.
"""

from __future__ import annotations

import json
import time
from email.header import decode_header, make_header
from urllib.parse import urlencode, urlsplit

import pytest
from django.conf import settings as django_settings
from django.core import mail, signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils.http import url_has_allowed_host_and_scheme

from newsroom.discussion.forms import TOKEN_SALT, form_token
from newsroom.models import Comment
from tests.form_tokens import sent_form_token

pytestmark = pytest.mark.django_db

LIMIT = 256 * 1024
FORM = "application/x-www-form-urlencoded"
# What a moderators' email may carry; anything else came from a reader.
MAIL_HEADERS = {
    "Subject",
    "From",
    "To",
    "Date",
    "Message-ID",
    "MIME-Version",
    "Content-Type",
    "Content-Transfer-Encoding",
}
HOSTILE_TARGETS = [
    "https://evil.example/",
    "http://evil.example",
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    " //evil.example",
    "\t//evil.example",
    "https:evil.example",
    "https:/evil.example",
    "http://testserver@evil.example/",
    "https://evil.example\\@testserver/",
    "javascript:alert(document.domain)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
]


def stays_on_site(location: str) -> bool:
    """A redirect target a browser resolves to this site, whatever it does with backslashes."""
    if not url_has_allowed_host_and_scheme(location, allowed_hosts={"testserver"}):
        return False
    return urlsplit(location.replace("\\", "/")).netloc in ("", "testserver")


@pytest.fixture
def web():
    """A client that shows a crash as the 500 a visitor would get, instead of raising it."""
    return Client(raise_request_exception=False)


@pytest.fixture
def article(make_article):
    return make_article(title="Talks Resume", slug="talks-resume")


def valid_fields(article, **fields) -> dict:
    data = {
        "author_name": "Ann Reader",
        "author_email": "ann@example.org",
        "author_url": "",
        "body": "A thoughtful remark.",
        "honeypot": "",
        "token": sent_form_token(article),
    }
    data.update(fields)
    return data


def comment_url(article) -> str:
    return f"/articles/{article.slug}/comments/"


def assert_refused_at(response, field: str, message: str | None = None) -> None:
    """A 400 with the error shown next to the field, and nothing stored."""
    assert response.status_code == 400
    errors = response.context["comment_form"].errors
    assert field in errors, errors
    if message is not None:
        assert message in " ".join(errors[field])
    assert f'id="id_{field}_error"' in response.content.decode()
    assert not Comment.objects.exists()


# Oversized requests


def test_the_upload_limit_is_the_documented_one():
    assert django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE == LIMIT


@pytest.mark.parametrize(
    "extra",
    [
        pytest.param({"body": "x" * (LIMIT + 1)}, id="one-huge-field"),
        pytest.param({f"f{n}": "x" * 1024 for n in range(300)}, id="many-fields-over-the-limit"),
        pytest.param({f"f{n}": "" for n in range(1100)}, id="too-many-fields"),
    ],
)
def test_an_oversized_form_post_is_a_bad_request(web, article, extra):
    raw = urlencode(valid_fields(article, **extra))
    response = web.post(comment_url(article), raw, content_type=FORM)
    assert response.status_code == 400
    assert b"Bad Request" in response.content
    assert not Comment.objects.exists()


def test_an_oversized_multipart_field_is_a_bad_request(web, article):
    data = valid_fields(article, body="x" * (LIMIT + 1))
    response = web.post(comment_url(article), data)  # the test client sends multipart
    assert response.status_code == 400
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("body", "x" * (LIMIT - 10_000), "at most 5000 characters"),
        ("author_name", "x" * 100_000, "at most 100 characters"),
        ("author_email", "a" * 100_000 + "@example.org", None),
        ("author_url", "https://example.org/" + "a" * 100_000, None),
        ("token", "x" * 100_000, "damaged"),
        ("honeypot", "x" * 100_000, "must be left empty"),
        ("parent", "9" * 100_000, None),
    ],
)
def test_a_huge_field_under_the_limit_is_refused_next_to_it(web, article, field, value, message):
    response = web.post(comment_url(article), valid_fields(article, **{field: value}))
    assert_refused_at(response, field, message)


# Malformed fields


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("author_name", "Ann\x00Reader", "Null characters are not allowed"),
        ("author_email", "ann\x00@example.org", None),
        ("author_url", "https://example.org/\x00", None),
        ("body", "Hello\x00there", "Null characters are not allowed"),
        ("token", "abc\x00def", "Null characters are not allowed"),
        ("parent", "1\x00", "whole number"),
        ("parent", "abc", "whole number"),
        ("parent", "1.5", "whole number"),
        ("parent", "1e3", "whole number"),
        ("parent", "0x10", "whole number"),
        ("parent", "-1", "not on this page"),
        ("parent", "9" * 30, "not on this page"),
        ("parent", "[1]", "whole number"),
        ("author_email", "not-an-email", "valid email"),
        ("author_url", "javascript:alert(1)", "valid URL"),
        ("author_url", "https://example.org/\r\nSet-Cookie: a=b", "valid URL"),
    ],
)
def test_a_malformed_field_is_refused_next_to_it(web, article, field, value, message):
    response = web.post(comment_url(article), valid_fields(article, **{field: value}))
    assert_refused_at(response, field, message)


@pytest.mark.parametrize(
    ("status", "same_article"),
    [
        (Comment.Status.APPROVED, False),
        (Comment.Status.PENDING, True),
        (Comment.Status.REJECTED, True),
        (Comment.Status.SPAM, True),
    ],
)
def test_a_reply_to_a_comment_the_reader_cannot_see_is_refused(
    web, article, make_article, make_comment, status, same_article
):
    parent = make_comment(article if same_article else make_article(), status=status)
    before = Comment.objects.count()
    response = web.post(comment_url(article), valid_fields(article, parent=str(parent.pk)))
    assert response.status_code == 400
    assert "not on this page" in response.context["comment_form"].errors["parent"][0]
    assert 'id="id_parent_error"' in response.content.decode()
    assert Comment.objects.count() == before


def _signed(payload) -> str:
    return signing.dumps(payload, salt=TOKEN_SALT)


@pytest.mark.parametrize(
    ("make_token", "message"),
    [
        pytest.param(lambda a: "forged", "damaged", id="forged"),
        pytest.param(
            lambda a: form_token(a, now=time.time() - 10)[:-2] + "xx", "damaged", id="tampered"
        ),
        pytest.param(
            lambda a: signing.dumps({"a": a.pk, "t": int(time.time() - 10)}),
            "damaged",
            id="other-salt",
        ),
        pytest.param(
            lambda a: signing.dumps({"a": a.pk, "t": 0}, key="not-the-key", salt=TOKEN_SALT),
            "damaged",
            id="other-key",
        ),
        pytest.param(lambda a: json.dumps({"a": a.pk, "t": 0}), "damaged", id="unsigned"),
        pytest.param(lambda a: _signed([a.pk, 0]), "damaged", id="signed-list"),
        pytest.param(lambda a: _signed({"a": "x", "t": 0}), "damaged", id="signed-nonsense"),
        pytest.param(lambda a: _signed({"a": a.pk}), "damaged", id="signed-no-time"),
        pytest.param(
            lambda a: form_token(a.pk + 1, now=time.time() - 10),
            "another article",
            id="other-article",
        ),
        pytest.param(lambda a: form_token(a, now=time.time() - 5 * 3600), "expired", id="expired"),
        pytest.param(lambda a: form_token(a, now=time.time()), "quicker than", id="too-fast"),
        pytest.param(lambda a: form_token(a, now=time.time() + 3600), "quicker than", id="future"),
    ],
)
def test_a_bad_token_is_refused_next_to_it(web, article, make_token, message):
    response = web.post(comment_url(article), valid_fields(article, token=make_token(article)))
    assert_refused_at(response, "token", message)


def test_a_repeated_field_takes_one_value_and_never_a_list(web, article):
    data = valid_fields(article)
    data["author_name"] = ["Ann", "Bob"]
    data["body"] = ["First text.", "Second text."]
    data["parent"] = ["", "abc"]
    response = web.post(comment_url(article), data)
    # Django reads the last value of a repeated field, as a browser never sends two.
    assert response.status_code == 400
    assert "whole number" in response.context["comment_form"].errors["parent"][0]
    assert not Comment.objects.exists()

    data["parent"] = ["abc", ""]
    response = web.post(comment_url(article), data)
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert (comment.author_name, comment.body) == ("Bob", "Second text.")


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(b"author_name=%FF%FE&body=%C3%28%A0%A1", id="percent-encoded"),
        pytest.param(b"author_name=Zo\xeb&body=caf\xe9 \xff\xfe", id="raw-bytes"),
        pytest.param(b"author_name=%ED%A0%80&body=%F0%28%8C%BC", id="surrogates"),
    ],
)
def test_invalid_utf8_is_never_a_server_error(web, article, raw):
    token = form_token(article, now=time.time() - 10)
    response = web.post(comment_url(article), raw + b"&token=" + token.encode(), content_type=FORM)
    # Django reads undecodable percent-escapes as U+FFFD and a body that is not UTF-8 as
    # Latin-1: the result is valid text, judged like any other comment.
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert (comment.author_name + comment.body).encode("utf-8")
    assert web.get(article.get_absolute_url()).status_code == 200


def test_an_invalid_utf8_token_is_refused(web, article):
    raw = b"author_name=Ann&body=Hello&token=%FF%FE" + b"x" * 20
    response = web.post(comment_url(article), raw, content_type=FORM)
    assert_refused_at(response, "token", "damaged")


def test_an_unknown_charset_is_never_a_server_error(web, article):
    raw = urlencode(valid_fields(article)).encode()
    response = web.generic(
        "POST", comment_url(article), raw, content_type=f"{FORM}; charset=no-such-charset"
    )
    assert response.status_code in (302, 400)


@pytest.mark.parametrize(
    ("content_type", "encode"),
    [
        ("application/json", lambda data: json.dumps(data)),
        ("application/json", lambda data: json.dumps({k: [v, v] for k, v in data.items()})),
        ("text/plain", lambda data: urlencode(data)),
        ("application/xml", lambda data: "<comment><body>Hi</body></comment>"),
        ("", lambda data: urlencode(data)),
    ],
)
def test_a_post_that_is_not_a_form_is_refused(web, article, content_type, encode):
    body = encode(valid_fields(article))
    response = web.post(comment_url(article), body, content_type=content_type)
    assert_refused_at(response, "body", "required")
    assert "required" in response.context["comment_form"].errors["token"][0]


def test_a_file_instead_of_the_comment_text_is_refused(web, article):
    data = valid_fields(article)
    data["body"] = SimpleUploadedFile("body.txt", b"A comment as a file.", "text/plain")
    response = web.post(comment_url(article), data)
    assert_refused_at(response, "body", "required")


def test_a_file_sent_along_with_the_form_is_ignored(web, article):
    data = valid_fields(article)
    data["attachment"] = SimpleUploadedFile("x.html", b"<script>alert(1)</script>", "text/html")
    response = web.post(comment_url(article), data)
    assert response.status_code == 302
    stored = Comment.objects.values().get()
    assert not any("<script>" in str(value) for value in stored.values())


def test_a_malformed_multipart_body_is_a_bad_request(web, article):
    response = web.post(
        comment_url(article),
        b"--xyz\r\nContent-Disposition: form-data; name=body\r\n\r\nHi",
        content_type="multipart/form-data; boundary=xyz",
    )
    assert response.status_code == 400
    assert not Comment.objects.exists()


def test_a_multipart_body_without_a_boundary_is_a_bad_request(web, article):
    response = web.post(comment_url(article), b"body=Hi", content_type="multipart/form-data")
    assert response.status_code == 400
    assert not Comment.objects.exists()


@pytest.mark.parametrize("slug", ["no-such-article", "draft-article"])
def test_a_post_to_an_article_readers_cannot_see_is_not_found(web, make_article, slug):
    draft = make_article(slug="draft-article", status="draft", published_at=None)
    response = web.post(f"/articles/{slug}/comments/", valid_fields(draft))
    assert response.status_code == 404
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    "reply",
    [
        "abc",
        "-1",
        "1.5",
        "٣",
        "１",
        "9" * 30,
        pytest.param("²", id="superscript-two"),
        pytest.param("9" * 5000, id="5000-digits"),
    ],
)
def test_a_malformed_reply_parameter_shows_the_page(web, article, reply):
    response = web.get(article.get_absolute_url(), {"reply": reply})
    assert response.status_code == 200


@pytest.mark.parametrize("query", ["%", "_", "\\", "' OR 1=1 --", "x" * 10_000, "\ufffd"])
def test_a_malformed_search_is_answered(web, article, query):
    assert web.get("/search/", {"q": query}).status_code == 200


@pytest.mark.parametrize("page", ["abc", "-1", "0", "1e400", "9" * 5000, "\x00"])
def test_a_malformed_page_number_is_answered(web, article, page):
    assert web.get("/", {"page": page}).status_code in (200, 400, 404)


# PostgreSQL refuses text with a NUL byte in it: such URLs are refused before any query.


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/search/?q=%00", id="search"),
        pytest.param("/search/?q=a%00b", id="search-inside"),
        pytest.param("/no-such-page%00/", id="404-path"),
        pytest.param("/tags/a%00/", id="404-tag"),
        pytest.param("/articles/a%00/", id="404-article"),
        pytest.param("/?page=%00", id="page"),
        pytest.param("/articles/talks-resume/?reply=%00", id="reply"),
    ],
)
def test_a_nul_byte_in_a_public_url_is_never_a_server_error(web, article, path):
    assert web.get(path).status_code in (200, 400, 404)


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/admin/newsroom/comment/?q=%00", id="search"),
        pytest.param("/admin/newsroom/article/?visibility=%00", id="visibility-filter"),
        pytest.param("/admin/newsroom/comment/?rule=%00", id="rule"),
        pytest.param(
            "/admin/newsroom/article/?status__exact=%00",
            id="field-filter",
        ),
        pytest.param(
            "/admin/autocomplete/?app_label=newsroom&model_name=article&field_name=section"
            "&term=%00",
            id="autocomplete",
        ),
    ],
)
def test_a_nul_byte_in_an_admin_url_is_never_a_server_error(admin_user, article, path):
    web = Client(raise_request_exception=False)
    web.force_login(admin_user)
    assert web.get(path).status_code in (200, 400, 404)


# Header injection in the moderators' email


@pytest.fixture
def moderators(settings):
    settings.NEWSROOM_MODERATOR_EMAILS = ["desk@example.org"]
    return ["desk@example.org"]


def assert_clean_message(message, recipients: list[str]) -> None:
    parsed = message.message()
    assert set(parsed.keys()) <= MAIL_HEADERS, parsed.keys()
    for name, value in parsed.items():
        decoded = str(make_header(decode_header(value)))
        assert decoded.isprintable(), (name, decoded)
    assert message.recipients() == recipients
    assert message.bcc == []
    assert message.cc == []
    head = parsed.as_bytes().split(b"\n\n", 1)[0]
    assert b"Bcc:" not in head


@pytest.mark.parametrize(
    "name",
    [
        "Eve\r\nBcc: x@y.z",
        "Eve\nBcc: x@y.z",
        "Eve\rBcc: x@y.z",
        "Eve\r\n\r\nBcc: x@y.z",
        "Eve\u2028Bcc: x@y.z",
        "Eve\x85Bcc: x@y.z",
        "Eve\x0bBcc: x@y.z",
        "=?utf-8?q?Eve=0D=0ABcc:_x@y.z?=",
    ],
)
def test_a_name_with_line_breaks_adds_no_mail_header(
    web, article, moderators, name, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = web.post(comment_url(article), valid_fields(article, author_name=name))
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert comment.author_name.isprintable()
    (message,) = mail.outbox
    assert_clean_message(message, moderators)


def test_an_article_title_with_line_breaks_adds_no_mail_header(
    web, make_article, moderators, django_capture_on_commit_callbacks
):
    article = make_article(title="Talks\r\nBcc: x@y.z\r\n resume")
    with django_capture_on_commit_callbacks(execute=True):
        response = web.post(comment_url(article), valid_fields(article))
    assert response.status_code == 302
    (message,) = mail.outbox
    assert_clean_message(message, moderators)


@pytest.mark.parametrize(
    "email",
    [
        "a@b.c\r\nBcc: x@y.z",
        "a@b.c\nBcc: x@y.z",
        "a@b.c\rBcc: x@y.z",
        "a@b.c\r\n\r\nHello",
        "a@b.c,x@y.z",
        "a@b.c;x@y.z",
        "Ann <a@b.c>",
        "a@b.c\u2028x@y.z",
    ],
)
def test_an_email_with_extra_lines_or_addresses_is_refused(
    web, article, moderators, email, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = web.post(comment_url(article), valid_fields(article, author_email=email))
    assert_refused_at(response, "author_email")
    assert not mail.outbox


def test_the_link_in_the_email_ignores_a_forwarded_host(
    web, article, moderators, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        web.post(comment_url(article), valid_fields(article), HTTP_X_FORWARDED_HOST="evil.example")
    (message,) = mail.outbox
    assert "evil.example" not in message.body
    assert "http://testserver/admin/newsroom/comment/" in message.body


# Open redirects


@pytest.fixture
def staff_password(admin_user):
    return {"username": admin_user.username, "password": "password"}


@pytest.mark.parametrize("target", HOSTILE_TARGETS)
def test_logging_in_never_redirects_off_site(web, staff_password, target):
    response = web.post(f"/admin/login/?{urlencode({'next': target})}", staff_password)
    assert response.status_code == 302
    assert stays_on_site(response["Location"]), response["Location"]
    assert "_auth_user_id" in web.session

    fresh = Client(raise_request_exception=False)
    response = fresh.post("/admin/login/", {**staff_password, "next": target})
    assert response.status_code == 302
    assert stays_on_site(response["Location"]), response["Location"]


def test_logging_in_follows_an_on_site_next(web, staff_password):
    target = "/admin/newsroom/article/?status__exact=draft"
    response = web.post(f"/admin/login/?{urlencode({'next': target})}", staff_password)
    assert response["Location"] == target


@pytest.mark.parametrize("target", HOSTILE_TARGETS)
def test_a_logged_in_visit_to_the_login_page_stays_on_site(admin_client, target):
    response = admin_client.get("/admin/login/", {"next": target})
    assert response.status_code == 302
    assert stays_on_site(response["Location"]), response["Location"]


@pytest.mark.parametrize("target", HOSTILE_TARGETS)
def test_logging_out_never_redirects_off_site(admin_client, target):
    response = admin_client.post(f"/admin/logout/?{urlencode({'next': target})}", {"next": target})
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert stays_on_site(response["Location"]), response["Location"]
    assert "_auth_user_id" not in admin_client.session


@pytest.mark.parametrize("target", HOSTILE_TARGETS[:4])
def test_changing_the_password_never_redirects_off_site(admin_client, target):
    data = {
        "old_password": "password",
        "new_password1": "a-Long-new-passw0rd",
        "new_password2": "a-Long-new-passw0rd",
        "next": target,
    }
    response = admin_client.post(f"/admin/password_change/?{urlencode({'next': target})}", data)
    assert response.status_code == 302
    assert response["Location"] == "/admin/password_change/done/"


@pytest.mark.parametrize("target", HOSTILE_TARGETS[:4])
def test_a_comment_post_redirects_only_to_its_article(web, article, target):
    response = web.post(
        f"{comment_url(article)}?{urlencode({'next': target})}",
        valid_fields(article, next=target),
    )
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/articles/{article.slug}/#comment-{comment.pk}"


@pytest.mark.parametrize("staff", [False, True], ids=["anonymous", "staff"])
@pytest.mark.parametrize(
    "path",
    [
        "//evil.example",
        "//evil.example/",
        "//evil.example/articles",
        "/\\evil.example",
        "/%2F%2Fevil.example",
        "/articles//evil.example",
        "/quotes//evil.example",
        "/admin//evil.example",
        "/admin///evil.example/",
        "/admin/newsroom/article//evil.example",
        "/admin/newsroom/article//evil.example/",
    ],
)
def test_a_path_that_looks_like_another_host_stays_on_site(web, admin_user, staff, path):
    if staff:
        web.force_login(admin_user)
    response = web.get("/", PATH_INFO=path)  # the client would read "//host" as a host
    assert response.status_code in (301, 302, 404)
    if response.status_code != 404:
        assert stays_on_site(response["Location"]), response["Location"]


def test_the_admin_sends_an_anonymous_visitor_to_its_own_login(web):
    response = web.get("/admin/newsroom/article/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=/admin/newsroom/article/"


# Methods and hosts


@pytest.mark.parametrize("method", ["get", "put", "patch", "delete", "options"])
def test_the_comment_endpoint_takes_only_post(web, article, method):
    response = getattr(web, method)(comment_url(article))
    assert response.status_code == 405
    assert response["Allow"] == "POST"


def test_logging_out_takes_only_post(admin_client):
    assert admin_client.get("/admin/logout/").status_code == 405
    assert "_auth_user_id" in admin_client.session


@pytest.fixture
def pages(article, make_quote, section):
    quote = make_quote(section=section)
    article.section = section
    article.save()
    article.tags.add("Diplomacy")
    return [
        "/",
        article.get_absolute_url(),
        f"/quotes/{quote.slug}/",
        f"/sections/{section.slug}/",
        "/tags/diplomacy/",
        "/search/?q=talks",
        "/feeds/rss/",
        "/feeds/atom/",
        "/sitemap.xml",
        "/sitemap-articles.xml",
        "/sitemap-news.xml",
        "/robots.txt",
    ]


def test_head_works_on_every_reader_page(web, pages):
    for path in pages:
        head = web.head(path)  # first, while the page cache is cold
        get = web.get(path)
        assert (path, head.status_code) == (path, 200)
        assert head["Content-Type"] == get["Content-Type"]
        assert head.content == b""


@pytest.mark.parametrize(
    "host",
    [
        "evil.example",
        "testserver.evil.example",
        "evil.example:80",
        "testserver@evil.example",
        "testserver:80@evil.example",
        "evil.example#testserver",
        "[::1",
        "testserver:notaport",
        "testserver\r\nX-Injected: 1",
        "x" * 300,
    ],
)
def test_a_foreign_host_header_is_a_bad_request(web, article, host):
    for response in [
        web.get("/", HTTP_HOST=host),
        web.get(article.get_absolute_url(), HTTP_HOST=host),
        web.post(comment_url(article), valid_fields(article), HTTP_HOST=host),
        web.get("/admin/login/", {"next": "/admin/"}, HTTP_HOST=host),
    ]:
        assert response.status_code == 400
        assert b"Bad Request" in response.content
    assert not Comment.objects.exists()
