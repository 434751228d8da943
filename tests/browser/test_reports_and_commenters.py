"""Readers report a comment in Chromium until it is back in the moderators' queue; the new
reader pages (the report form, the commenter's link pages) pass the Nu HTML Checker and
axe-core at desktop and phone widths."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from newsroom.discussion import confirmation
from newsroom.models import Comment, CommentReport
from newsroom.roles import MODERATORS

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 375, "height": 740}}
FAILING_IMPACTS = {"serious", "critical"}


@pytest.fixture
def reported(live_server, settings, make_article, make_comment):
    # Each reader at an address of their own, as a proxy in front of the site reports it.
    settings.NEWSROOM_TRUSTED_PROXIES = 1
    settings.NEWSROOM_REPORTS_TO_REVIEW = 2
    article = make_article(title="Border Commission Meets")
    comment = make_comment(
        article,
        author_name="Troll",
        author_email="troll@example.org",
        body="You are all <b>idiots</b>.",
        status=Comment.Status.APPROVED,
    )
    return live_server.url + article.get_absolute_url(), comment


def reader_at(browser, contexts: list, address: str, viewport=None):
    context = browser.new_context(
        extra_http_headers={"X-Forwarded-For": address}, viewport=viewport or WIDTHS["desktop"]
    )
    contexts.append(context)
    return context.new_page()


@pytest.fixture
def contexts():
    opened: list = []
    yield opened
    for context in opened:
        context.close()


def report_it(page, url: str, comment: Comment, reason: str) -> None:
    page.goto(url)
    page.locator(f"#comment-{comment.pk} .comment__report a").click()
    page.wait_for_load_state()
    assert page.locator("main h1").inner_text() == "Report a comment"
    page.get_by_label(reason).check()
    page.fill("#id_text", "Insults <script>document.body.dataset.pwned=1</script>")
    page.click(".report-form button[type=submit]")
    page.wait_for_load_state()
    assert "Thank you: a moderator will look at this comment." in page.inner_text(".messages")


def test_readers_report_a_comment_until_it_returns_to_the_queue(
    browser, contexts, reported, django_user_model, staff_roles
):
    url, comment = reported
    first = reader_at(browser, contexts, "198.51.100.1")
    report_it(first, url, comment, "A personal attack")
    assert first.locator(f"#comment-{comment.pk}").count() == 1  # one report is not enough

    # The same reader again: refused, nothing stored.
    first.locator(f"#comment-{comment.pk} .comment__report a").click()
    first.get_by_label("Profanity").check()
    first.click(".report-form button[type=submit]")
    first.wait_for_load_state()
    assert "You have already reported this comment." in first.inner_text(".messages")
    assert CommentReport.objects.count() == 1

    second = reader_at(browser, contexts, "198.51.100.2")
    report_it(second, url, comment, "Profanity")
    assert Comment.objects.get(pk=comment.pk).status == "reported"
    # Hidden from readers while a moderator looks at it.
    second.goto(url)
    assert second.locator(f"#comment-{comment.pk}").count() == 0
    assert second.evaluate("document.body.dataset.pwned") is None

    moderator = django_user_model.objects.create_user("mod", password="mod-pass", is_staff=True)
    moderator.groups.add(Group.objects.get(name=MODERATORS))
    mod = reader_at(browser, contexts, "198.51.100.3")
    live = url.split("/articles/")[0]
    mod.goto(f"{live}/admin/login/?next=/admin/newsroom/comment/%3Fstatus%3Dreported")
    mod.fill("#id_username", "mod")
    mod.fill("#id_password", "mod-pass")
    mod.click("input[type=submit]")
    mod.wait_for_load_state()
    assert "reported: 1" in mod.inner_text(".queue-counts").lower()
    card = mod.locator(".queue-card")
    assert card.count() == 1
    assert "2 reader reports: A personal attack (1), Profanity (1)." in card.inner_text()
    assert "Readers' reports: A personal attack (1), Profanity (1)" in card.inner_text()
    card.locator("h3 a").click()
    mod.wait_for_load_state()
    reports = mod.locator("#reports-group")
    assert "A personal attack" in reports.inner_text()
    assert "Insults <script>" in reports.inner_text()
    assert mod.evaluate("document.body.dataset.pwned") is None
    entry = Comment.objects.get(pk=comment.pk).status_changes.last()
    assert (entry.from_status, entry.to_status, entry.rule) == (
        "approved",
        "reported",
        "reader_reports",
    )


def new_pages(live: str, comment: Comment) -> dict[str, str]:
    token = confirmation.confirmation_token(comment)
    unsubscribe = confirmation.unsubscribe_token(comment)
    return {
        "report form": f"{live}/articles/{comment.article.slug}/comments/{comment.pk}/report/",
        "confirm address": f"{live}/comments/confirm/{token}/",
        "unsubscribed": f"{live}/comments/unsubscribe/{unsubscribe}/",
        "broken link": f"{live}/comments/confirm/{token}broken/",
    }


def visit(page, name: str, url: str):
    response = page.goto(url)
    if name == "report form":
        # With its errors: sent without a reason (past the browser's own check).
        page.evaluate("document.querySelectorAll('[required]').forEach(e => e.required = false)")
        with page.expect_navigation() as navigation:
            page.click(".report-form button[type=submit]")
        response = navigation.value
        assert response.status == 400
    return response


def test_the_new_reader_pages_are_valid_html(browser, contexts, reported, html_validator):
    url, comment = reported
    comment.author_email = "ann@example.org"
    comment.save()
    live = url.split("/articles/")[0]
    page = reader_at(browser, contexts, "198.51.100.9")
    sent = {name: visit(page, name, path).text() for name, path in new_pages(live, comment).items()}
    problems = html_validator(sent)
    errors = [problem for found in problems.values() for problem in found]
    assert not errors, "The Nu HTML Checker found errors:\n" + "\n".join(errors)


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_the_new_reader_pages_have_no_serious_accessibility_problems(
    browser, contexts, reported, axe, width
):
    url, comment = reported
    comment.author_email = "ann@example.org"
    comment.save()
    live = url.split("/articles/")[0]
    page = reader_at(browser, contexts, "198.51.100.9", WIDTHS[width])
    failures = []
    for name, path in {"article": url, **new_pages(live, comment)}.items():
        visit(page, name, path)
        for violation in axe(page):
            line = f"{name}: [{violation['impact']}] {violation['id']}: {violation['help']}"
            if violation["impact"] in FAILING_IMPACTS:
                failures.append(line)
            else:
                print(f"axe: {line}")
    assert not failures, "axe-core found serious or critical violations:\n" + "\n".join(failures)
