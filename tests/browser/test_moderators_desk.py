"""The moderator's desk in a browser: five pending comments decided with the keyboard alone,
the queue at desktop and phone widths, and its pages checked by the Nu HTML Checker and
axe-core."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from newsroom.models import Comment
from newsroom.roles import MODERATORS
from tests.browser.test_reader_pages import FAILING_IMPACTS

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

WIDTHS = {"desktop": 1280, "phone": 390}


@pytest.fixture
def desk(live_server, new_page, make_article, make_comment, django_user_model, staff_roles):
    """Five pending comments (the second a long reply) and a logged-in moderator's page."""
    article = make_article(title="Talks Resume")
    comments = [
        make_comment(
            article,
            author_name=f"Reader {n}",
            author_email=f"reader{n}@example.org",
            body=f"Comment number {n}. <script>document.body.dataset.pwned = 1</script>",
        )
        for n in range(1, 6)
    ]
    comments[1].parent = comments[0]
    comments[1].body = "A long reply. " * 120
    comments[1].save()
    moderator = django_user_model.objects.create_user("mod", password="mod-pass", is_staff=True)
    moderator.groups.add(Group.objects.get(name=MODERATORS))
    page = new_page()
    page.goto(f"{live_server.url}/admin/login/?next=/admin/newsroom/comment/")
    page.fill("#id_username", "mod")
    page.fill("#id_password", "mod-pass")
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/newsroom/comment/")
    return live_server.url, page, comments


def test_a_moderator_works_through_five_comments_with_the_keyboard(desk):
    _url, page, _comments = desk
    assert page.locator(".queue-card").count() == 5
    assert page.is_visible("#queue-keys")
    page.locator("body").focus()

    # Newest first: Reader 5 … Reader 1. Approve, reject, spam, approve, approve.
    for key in ["a", "r", "s", "a", "a"]:
        before = page.locator(".queue-card").count()
        if before == 5:
            page.keyboard.press("j")
        page.keyboard.press(key)
        expect(page.locator(".queue-card")).to_have_count(before - 1)
    assert page.locator(".queue-card").count() == 0
    assert "Pending: 0" in page.inner_text(".queue-counts")
    assert "Approved: 3" in page.inner_text(".queue-counts")

    statuses = {c.author_name: c.status for c in Comment.objects.all()}
    assert statuses == {
        "Reader 5": "approved",
        "Reader 4": "rejected",
        "Reader 3": "spam",
        "Reader 2": "approved",
        "Reader 1": "approved",
    }
    assert page.evaluate("document.body.dataset.pwned") is None


def test_a_reason_chosen_on_the_card_goes_to_the_log(desk):
    _url, page, comments = desk
    card = page.locator(f"#card-{comments[4].pk}")
    card.locator("select[name=reason]").select_option("Personal attack")
    card.locator("button[data-key=r]").click()
    expect(card).to_have_count(0)
    change = comments[4].status_changes.last()
    assert (change.to_status, change.reason) == ("rejected", "Personal attack")


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_the_queue_fits_the_screen(desk, width):
    _url, page, _comments = desk
    page.set_viewport_size({"width": width, "height": 900})
    page.reload()
    overflow = page.evaluate(
        "() => [...document.querySelectorAll('.queue-card')]"
        ".filter(card => card.getBoundingClientRect().right > window.innerWidth + 1).length"
    )
    assert overflow == 0
    decide = page.locator(".queue-card .decide-approve").first
    box = decide.bounding_box()
    assert box is not None and box["x"] + box["width"] <= width


def test_the_desks_pages_are_valid_and_accessible(desk, html_validator, axe):
    url, page, comments = desk
    pages = {
        "queue": "/admin/newsroom/comment/",
        "commenter": f"/admin/newsroom/comment/{comments[0].pk}/commenter/",
    }
    sent, failures = {}, []
    for name, path in pages.items():
        for label, width in WIDTHS.items():
            page.set_viewport_size({"width": width, "height": 900})
            response = page.goto(url + path)
            sent[name] = response.text()
            for violation in axe(page):
                if violation["impact"] in FAILING_IMPACTS:
                    nodes = "; ".join(str(node["target"]) for node in violation["nodes"])
                    failures.append(f"{name} ({label}): {violation['id']}: {nodes}")
    assert not failures, "axe-core found serious or critical violations:\n" + "\n".join(failures)
    problems = html_validator(sent)
    errors = [problem for found in problems.values() for problem in found]
    assert not errors, "The Nu HTML Checker found errors:\n" + "\n".join(errors)


def test_select_all_ticks_every_card_for_a_bulk_action(desk):
    _url, page, _comments = desk
    page.check("#action-toggle")
    assert page.locator("input.action-select:checked").count() == 5
    page.select_option("select[name=action]", "approve")
    page.click("button[name=index]")
    page.wait_for_load_state()
    assert "5 comments approved" in page.inner_text(".messagelist")
