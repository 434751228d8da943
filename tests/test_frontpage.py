"""The front page editors arrange (newsroom.frontpage): pins in order with their expiry,
the fallback to the newest item, the menu sections' latest, and a fixed query budget."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from newsroom import frontpage
from newsroom.models import Article, Author, FrontPagePin, Image, Section
from newsroom.views.listings import next_front_page_change
from tests.admin_forms import add_row, change_form_data

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def pin(item, position: int = 1, **fields) -> FrontPagePin:
    return FrontPagePin.objects.create(
        content_type=ContentType.objects.get_for_model(item),
        object_id=item.pk,
        position=position,
        **fields,
    )


def front(client):
    """The front page as rendered (a miss), and its HTML."""
    cache.clear()
    response = client.get("/")
    assert response.status_code == 200
    return response.context["front"], response.content.decode()


def page_latest(client):
    cache.clear()
    return client.get("/").context["latest"]


def lead_title(client) -> str:
    """The lead story's headline as a reader is served it (from the cache if kept)."""
    html = client.get("/").content.decode()
    return html.split('class="lead-story__title">', 1)[1].split("</a>", 1)[0].split(">")[-1]


def test_pins_make_the_lead_and_the_top_stories_in_their_order(client, make_article, make_quote):
    second = make_article(title="Second pin")
    lead = make_quote(title="Lead pin", published_at=NOW - timedelta(days=3))
    third = make_article(title="Third pin", published_at=NOW - timedelta(days=9))
    make_article(title="Newest, not pinned", published_at=NOW - timedelta(minutes=1))
    pin(third, 7)
    pin(lead, 1)
    pin(second, 2)
    page, html = front(client)
    assert page.lead == lead
    assert page.pinned == [second, third]
    assert html.index("Lead pin") < html.index("Second pin") < html.index("Third pin")
    assert '<h2 class="lead-story__title"><a href="' + lead.get_absolute_url() in html
    # what is pinned is not repeated in the latest
    assert [item.title for item in page_latest(client)] == ["Newest, not pinned"]


def test_without_pins_the_newest_item_leads(client, make_article):
    make_article(title="Older", published_at=NOW - timedelta(days=1))
    newest = make_article(title="Newest", published_at=NOW - timedelta(minutes=5))
    page, _html = front(client)
    assert page.lead == newest and page.pinned == []
    assert [item.title for item in page_latest(client)] == ["Older"]


def test_an_empty_site_says_so(client, db):
    page, html = front(client)
    assert page.lead is None
    assert "Nothing has been published yet." in html


def test_a_pin_of_an_item_readers_cannot_see_shows_nothing(client, make_article):
    newest = make_article(title="Newest")
    pin(make_article(title="A draft", status=Article.Status.DRAFT, published_at=None), 1)
    pin(make_article(title="Scheduled", published_at=NOW + timedelta(hours=1)), 2)
    pin(make_article(title="Expired", expires_at=NOW - timedelta(minutes=1)), 3)
    page, html = front(client)
    assert page.lead == newest and page.pinned == []
    assert "A draft" not in html and "Scheduled" not in html and "Expired" not in html


def test_an_expired_pin_leaves_the_front_page_when_it_expires(
    client, make_article, monkeypatch, django_capture_on_commit_callbacks
):
    newest = make_article(title="Newest")
    pinned = make_article(title="Pinned", published_at=NOW - timedelta(days=2))
    with django_capture_on_commit_callbacks(execute=True):
        the_pin = pin(pinned, expires_at=timezone.now() + timedelta(seconds=90))
    assert front(client)[0].lead == pinned
    # No job removes the pin: the time is compared in the query (and the kept page ends
    # then: the next test).
    later = the_pin.expires_at + timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert front(client)[0].lead == newest


def test_the_front_pages_cache_ends_at_the_next_pin_expiry(client, make_article, monkeypatch):
    pin(make_article(), expires_at=timezone.now() + timedelta(seconds=90))
    pin(make_article(), 2, expires_at=timezone.now() + timedelta(hours=5))
    pin(make_article(), 3, expires_at=timezone.now() - timedelta(hours=1))  # over already
    assert 85 <= (next_front_page_change() - timezone.now()).total_seconds() <= 90
    stored: list[int] = []
    real_set_many = cache.set_many
    monkeypatch.setattr(
        cache, "set_many", lambda entries, t: stored.append(t) or real_set_many(entries, t)
    )
    assert client.get("/").status_code == 200
    assert stored and 80 <= stored[0] <= 91


def committed() -> None:
    """Run the commit hooks left so far and forget them, as a commit would: the site's
    invalidation is registered once per transaction, and the test's never commits."""
    connection = transaction.get_connection()
    for _savepoints, hook, _robust in connection.run_on_commit:
        hook()
    connection.run_on_commit.clear()


def test_a_new_pin_refreshes_the_cached_front_page(client, make_article):
    make_article(title="Newest")
    older = make_article(title="Older story", published_at=NOW - timedelta(days=1))
    committed()
    assert lead_title(client) == lead_title(client) == "Newest"  # kept
    the_pin = pin(older)
    committed()
    assert lead_title(client) == "Older story"
    the_pin.delete()
    committed()
    assert lead_title(client) == "Newest"


def test_each_menu_section_shows_its_latest_without_repeating_the_pins(
    client, make_article, make_quote
):
    world = Section.objects.create(name="World", slug="world", in_menu=True, menu_order=2)
    sport = Section.objects.create(name="Sport", slug="sport", in_menu=True, menu_order=1)
    Section.objects.create(name="Hidden", slug="hidden")  # not in the menu
    world_items = [
        make_article(title=f"World {n}", section=world, published_at=NOW - timedelta(hours=n))
        for n in range(1, 6)
    ]
    make_quote(title="Sport quote", section=sport)
    pin(world_items[0])
    page, html = front(client)
    assert [block.section for block in page.sections] == [sport, world]
    assert [i.title for i in page.sections[1].items] == ["World 2", "World 3", "World 4"]
    assert [i.title for i in page.sections[0].items] == ["Sport quote"]
    menu = html.split('class="section-nav"', 1)[1].split("</nav>", 1)[0]
    assert menu.index("Sport") < menu.index("World") and "Hidden" not in menu


def test_a_section_still_shows_three_when_its_newest_item_leads(client, make_article):
    world = Section.objects.create(name="World", slug="world", in_menu=True)
    for n in range(1, 5):
        make_article(title=f"World {n}", section=world, published_at=NOW - timedelta(hours=n))
    page, _html = front(client)
    assert page.lead.title == "World 1"
    assert [i.title for i in page.sections[0].items] == ["World 2", "World 3", "World 4"]


def test_with_no_section_marked_the_menu_lists_the_first_sections(client, make_article):
    Section.objects.create(name="Beta", slug="beta")
    Section.objects.create(name="Alpha", slug="alpha")
    assert [s.name for s in frontpage.menu_sections()] == ["Alpha", "Beta"]
    html = client.get("/sections/beta/").content.decode()
    assert '<a href="/sections/alpha/">Alpha</a>' in html


def test_the_lead_shows_its_image_and_listings_their_thumbnails(client, make_article):
    section = Section.objects.create(name="World", slug="world", in_menu=True)
    author = Author.objects.create(name="Ani Petrosyan", slug="ani")
    # Library images still to be fetched: shown from their source address meanwhile.
    lead = make_article(
        title="Lead",
        featured_image=Image.objects.create(
            source_url="https://img.example/lead.jpg", alt_text="A crowd in the square"
        ),
    )
    story = make_article(
        title="Story",
        section=section,
        description="What happened, in a sentence.",
        featured_image=Image.objects.create(
            source_url="https://img.example/story.jpg", alt_text="The minister"
        ),
        published_at=NOW - timedelta(hours=2),
    )
    story.authors.add(author)
    _page, html = front(client)
    lead_figure = html[html.index('class="lead-image"') :]
    assert 'src="https://img.example/lead.jpg"' in lead_figure
    assert 'alt="A crowd in the square"' in lead_figure
    assert lead.title in html
    for url in ["/", "/sections/world/", "/authors/ani/"]:
        html = client.get(url).content.decode()
        thumb = html[html.index('<span class="image image--thumb">') :]
        thumb = thumb[: thumb.index("</span>")]
        assert 'src="https://img.example/story.jpg"' in thumb, url
        assert 'alt="The minister"' in thumb and 'loading="lazy"' in thumb, url
        assert "What happened, in a sentence." in html
        assert '<a href="/authors/ani/">Ani Petrosyan</a>' in html
        assert f'<time datetime="{story.published_at:%Y-%m-%dT%H:%M:%S}+0000">' in html


def test_reader_text_stays_text_on_the_front_page(client, make_article):
    section = Section.objects.create(name="<b>Sec</b>", slug="sec", in_menu=True)
    hostile = '<script>alert("x")</script>'
    image = Image.objects.create(source_url="https://img.example/x.jpg", alt_text=hostile)
    make_article(title=hostile, description=hostile, featured_image=image)
    make_article(title=f"Second {hostile}", section=section, published_at=NOW - timedelta(hours=3))
    html = client.get("/").content.decode()
    assert "<script>alert" not in html and "<b>Sec</b>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


@pytest.mark.parametrize("count", [1, 12])
def test_the_front_page_costs_the_same_however_much_is_pinned(
    client, make_article, make_quote, count, django_assert_num_queries
):
    sections = [Section.objects.create(name=f"S{n}", slug=f"s{n}", in_menu=True) for n in range(2)]
    for n in range(count):
        pin(make_article(section=sections[n % 2], is_breaking=True), n + 1)
        pin(make_quote(section=sections[0]), n + 20)
        make_article(section=sections[1])
    # the timeline page: ids of each kind (2), items with bylines (4); the menu (1); the
    # pins (1), breaking ids of each kind (2), each menu section's ids of each kind (4),
    # the front page's items with their bylines (4); next publication or expiry (2), next
    # pin expiry (1); nothing counted
    with django_assert_num_queries(21) as captured:
        assert client.get("/").status_code == 200
    assert "COUNT(" not in " ".join(q["sql"] for q in captured.captured_queries).upper()


def test_an_editor_pins_an_item_from_its_page_and_orders_the_pins(editor_client, make_article):
    article = make_article(title="To pin")
    url = reverse("admin:newsroom_article_change", args=[article.pk])
    data = change_form_data(editor_client, url)
    expiry = timezone.localtime(NOW + timedelta(days=1))
    add_row(
        data,
        "newsroom-frontpagepin-content_type-object_id",
        position="2",
        expires_at_0=expiry.strftime("%Y-%m-%d"),
        expires_at_1=expiry.strftime("%H:%M:%S"),
    )
    response = editor_client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    the_pin = FrontPagePin.objects.get()
    assert (the_pin.item, the_pin.position) == (article, 2)
    assert the_pin.expires_at is not None
    listing = editor_client.get(reverse("admin:newsroom_frontpagepin_changelist"))
    assert "To pin" in listing.content.decode()
