"""Two editors in two browsers on one article: each sees the other is there, the second save
meets the conflict screen with its own text kept, and a draft stays off the live page."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from newsroom import revisions
from newsroom.admin import presence
from newsroom.models import Article, Revision
from newsroom.roles import EDITORS

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

BODY = "The talks began at dawn.\n\nBoth sides sent ministers.\n\nNo date was set."


@pytest.fixture
def desk(live_server, new_page, make_article, django_user_model, staff_roles, monkeypatch):
    """The article, and a logged-in page for each of the two editors (ann, then bo)."""
    # The change form's script asks who else is there every second, not every 20.
    monkeypatch.setattr(presence, "PING_SECONDS", 1)
    article = make_article(title="Talks Resume", body=BODY, description="Talks.")
    revisions.record(article, via=Revision.Via.FORM)
    pages = {}
    for name in ("ann", "bo"):
        user = django_user_model.objects.create_user(name, password=f"{name}-pass", is_staff=True)
        user.groups.add(Group.objects.get(name=EDITORS))
        page = new_page()
        page.goto(f"{live_server.url}/admin/login/?next=/admin/")
        page.fill("#id_username", name)
        page.fill("#id_password", f"{name}-pass")
        page.click("input[type=submit]")
        page.wait_for_url("**/admin/")
        pages[name] = page
    change = f"{live_server.url}/admin/newsroom/article/{article.pk}/change/"
    return article, change, pages["ann"], pages["bo"]


def body_with(paragraph: str) -> str:
    first, _second, third = BODY.split("\n\n")
    return "\n\n".join([first, paragraph, third])


def test_the_second_editor_meets_the_conflict_screen_and_keeps_their_text(desk):
    article, change, ann, bo = desk
    ann.goto(change)
    bo.goto(change)

    # Each names the other: bo's page from the server, ann's from the script's ping.
    assert "ann" in bo.inner_text("#presence-notice")
    ann.wait_for_selector("#presence-notice:not([hidden])", timeout=5000)
    assert "bo" in ann.inner_text("#presence-notice .presence-names")

    ann.fill("#id_body", body_with("Both sides sent their foreign ministers."))
    ann.locator("input[name=_save]").first.click()
    ann.wait_for_load_state()
    assert "was changed successfully" in ann.inner_text(".messagelist")

    mine = body_with("Each side sent a deputy minister.")
    bo.fill("#id_body", mine)
    bo.fill("#id_description", "Talks resume in Geneva.")
    bo.locator("input[name=_save]").first.click()
    bo.wait_for_load_state()

    conflict = bo.locator("#edit-conflict")
    assert conflict.is_visible()
    assert "their foreign ministers" in conflict.inner_text()
    assert "deputy minister" in conflict.inner_text()
    # Bo's own text is still in the form, and nothing of it was saved.
    assert bo.input_value("#id_body") == mine
    assert bo.input_value("#id_description") == "Talks resume in Geneva."
    article.refresh_from_db()
    assert "their foreign ministers" in article.body and article.description == "Talks."

    # Bo keeps his version: the second save goes through.
    bo.locator("input[name=_save]").first.click()
    bo.wait_for_load_state()
    assert "was changed successfully" in bo.inner_text(".messagelist")
    article.refresh_from_db()
    # (A browser sends a textarea's line breaks as CRLF.)
    assert article.body.replace("\r\n", "\n") == mine
    assert article.description == "Talks resume in Geneva."


def test_edits_of_different_paragraphs_are_merged(desk):
    article, change, ann, bo = desk
    ann.goto(change)
    bo.goto(change)
    first, second, third = BODY.split("\n\n")

    ann.fill("#id_body", "\n\n".join([first, second, "A date was set for May."]))
    ann.locator("input[name=_save]").first.click()
    ann.wait_for_load_state()
    bo.fill("#id_body", "\n\n".join(["The talks began at noon.", second, third]))
    bo.locator("input[name=_save]").first.click()
    bo.wait_for_load_state()

    assert "ann saved this item after you opened it" in bo.inner_text(".messagelist").lower()
    article.refresh_from_db()
    assert article.body.replace("\r\n", "\n") == "\n\n".join(
        ["The talks began at noon.", second, "A date was set for May."]
    )


def test_a_draft_stays_off_the_live_page_until_it_is_published(desk, live_server, new_page):
    article, change, ann, _bo = desk
    ann.goto(change)
    ann.fill("#id_title", "Talks Collapse")
    ann.locator("input[name=_save_draft]").first.click()
    ann.wait_for_load_state()
    assert "saved as a draft" in ann.inner_text(".messagelist")
    assert ann.input_value("#id_title") == "Talks Collapse"

    reader = new_page()
    reader.goto(live_server.url + article.get_absolute_url())
    assert reader.inner_text("h1") == "Talks Resume"
    with ann.expect_popup() as popup:
        ann.click("#draft-notice a[target=_blank]")
    preview = popup.value
    preview.wait_for_load_state()
    assert preview.inner_text("h1") == "Talks Collapse"
    assert "unpublished changes" in preview.inner_text(".preview-banner")

    ann.locator("input[name=_save]").first.click()
    ann.wait_for_load_state()
    reader.reload()
    assert reader.inner_text("h1") == "Talks Collapse"
    assert Article.objects.get().draft_revision is None
