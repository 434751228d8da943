"""The Content-Security-Policy in Chromium: the reader pages and the admin run under it
without a single violation, and a script injected into a page does not run."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from newsroom.pagecache import CACHE_HIT_HEADER
from newsroom.roles import EDITORS, MODERATORS

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# What Chromium writes to the console about the policies' headers and their violations.
POLICY_WORDS = ("Content Security Policy", "Content-Security-Policy", "Permissions-Policy")

INJECT = """() => {
  const script = document.createElement("script");
  script.textContent = "document.documentElement.dataset.script = 'ran'";
  document.head.appendChild(script);
  const button = document.createElement("button");
  button.setAttribute("onclick", "document.documentElement.dataset.handler = 'ran'");
  document.body.appendChild(button);
  button.click();
  const link = document.createElement("a");
  link.href = "javascript:void(document.documentElement.dataset.link = 'ran')";
  document.body.appendChild(link);
  link.click();
}"""
# Which of the injected scripts ran (the admin keeps its own data-theme there too).
RAN = """() => ["script", "handler", "link"].filter(
  (name) => name in document.documentElement.dataset)"""


def watch_console(page) -> list[str]:
    messages: list[str] = []
    page.on("console", lambda message: messages.append(message.text))
    return messages


def about_policies(messages: list[str]) -> list[str]:
    return [text for text in messages if any(word in text for word in POLICY_WORDS)]


def assert_injected_script_does_not_run(page, messages: list[str]) -> None:
    before = len(messages)
    page.evaluate(INJECT)
    page.wait_for_timeout(200)
    assert page.evaluate(RAN) == []
    # ...because the policy refused it, and said so.
    refused = about_policies(messages[before:])
    assert refused and all("Content Security Policy" in text for text in refused), refused
    del messages[before:]


@pytest.fixture
def editor(django_user_model, staff_roles):
    user = django_user_model.objects.create_user("editor", password="editor-pass", is_staff=True)
    user.groups.add(Group.objects.get(name=EDITORS), Group.objects.get(name=MODERATORS))
    return user


def test_reader_pages_run_under_the_policy(live_server, new_page, make_article, make_comment):
    article = make_article(title="Talks Resume", body="Talks **resume** today.")
    make_comment(article, status="approved", body="A remark.")
    url = live_server.url + article.get_absolute_url()
    page = new_page()
    messages = watch_console(page)

    first = page.goto(url)
    assert first.header_value("content-security-policy")
    hit = page.goto(url)
    assert hit.header_value(CACHE_HIT_HEADER) == "hit"
    assert hit.header_value("content-security-policy")
    assert hit.header_value("permissions-policy")
    assert page.locator("script[type='application/ld+json']").count() >= 1
    page.goto(live_server.url + "/")
    page.goto(live_server.url + "/no-such-page/")
    assert about_policies(messages) == []

    page.goto(url)
    assert_injected_script_does_not_run(page, messages)


def test_the_admin_runs_under_the_policy(live_server, new_page, editor, make_article):
    article = make_article(title="Talks Resume")
    page = new_page()
    messages = watch_console(page)

    page.goto(live_server.url + "/admin/login/?next=/admin/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", "editor-pass")
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")
    for path in (
        "/admin/newsroom/article/",
        f"/admin/newsroom/article/{article.pk}/change/",
        "/admin/newsroom/article/add/",
        "/admin/newsroom/comment/",
    ):
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
        assert about_policies(messages) == [], path

    # The admin's own scripts still work: the add form fills in the slug from the title.
    page.goto(live_server.url + "/admin/newsroom/article/add/")
    page.fill("#id_title", "Ceasefire Holds")
    page.locator("#id_title").blur()
    assert page.input_value("#id_slug") == "ceasefire-holds"
    # The moderation queue's counts keep their layout without a style attribute.
    page.goto(live_server.url + "/admin/newsroom/comment/")
    assert page.locator(".queue-counts").evaluate("el => getComputedStyle(el).float") == "none"
    assert about_policies(messages) == []

    assert_injected_script_does_not_run(page, messages)
