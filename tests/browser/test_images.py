"""An article with an uploaded image, read in Chromium at desktop and phone widths: the
browser picks a rendition that fits, nothing shifts as images load, and the page passes
the Nu HTML Checker and axe-core."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from newsroom.images import library
from newsroom.models import Rendition
from tests import image_files as files

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# (name, viewport, the width of the WebP rendition the browser should choose)
SCREENS = [
    ("desktop", {"width": 1280, "height": 900}, 960),
    ("phone", {"width": 375, "height": 740}, 480),
]
FAILING_IMPACTS = {"serious", "critical"}


@pytest.fixture
def article(live_server, settings, tmp_path, section, make_article):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.MEDIA_URL = "/media/"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    settings.ROOT_URLCONF = "tests.browser.media_urls"
    lead, _new = library.add(
        files.picture(2400, 1200), alt_text="Delegates seated at a long table", credit="Newsroom"
    )
    lead.caption = "The commission at work."
    lead.save()
    chart, _new = library.add(files.halves(1200, 800, "navy", "gold", vertical=False))
    body = "\n\n".join(
        [
            "The border commission met on Tuesday.",
            *["The talks went on."] * 3,
            f"![A map of the border crossings](image:{chart.pk})",
            "They meet again in May.",
        ]
    )
    return make_article(
        title="Border Commission Meets",
        slug="border-commission-meets",
        section=section,
        description="The delegations agreed on a timetable.",
        body=body,
        featured_image=lead,
        published_at=timezone.now() - timedelta(hours=1),
    )


def _webp(image_pk: int, width: int) -> str:
    return Rendition.objects.get(image_id=image_pk, spec=f"w{width}.webp").url


@pytest.mark.parametrize(("screen", "viewport", "chosen"), SCREENS, ids=[s[0] for s in SCREENS])
def test_an_article_with_images_at_desktop_and_phone_widths(
    live_server, new_page, article, html_validator, axe, screen, viewport, chosen
):
    page = new_page()
    page.set_viewport_size(viewport)
    response = page.goto(live_server.url + article.get_absolute_url())
    assert response.status == 200

    lead = page.locator(".lead-image picture img")
    assert lead.get_attribute("alt") == "Delegates seated at a long table"
    assert (lead.get_attribute("width"), lead.get_attribute("height")) == ("1600", "800")
    assert lead.get_attribute("loading") is None  # the lead image is not lazy
    page.wait_for_function(
        "() => [...document.images].every(i => i.loading === 'lazy' || i.complete)"
    )
    # The smallest WebP at least as wide as the column is on this screen.
    assert lead.evaluate("i => i.currentSrc").endswith(_webp(article.featured_image_id, chosen))
    # Laid out at its final size before it loaded: 2:1, as wide as the column allows.
    box = lead.bounding_box()
    assert abs(box["width"] / box["height"] - 2) < 0.02
    assert box["width"] <= viewport["width"]
    assert "The commission at work." in page.locator(".lead-image figcaption").inner_text()

    in_body = page.locator(".body picture img")
    assert in_body.get_attribute("loading") == "lazy"
    assert in_body.get_attribute("alt") == "A map of the border crossings"
    in_body.scroll_into_view_if_needed()
    page.wait_for_function("() => document.querySelector('.body picture img').complete")
    assert in_body.evaluate("i => i.naturalWidth") > 0

    for img in page.locator("img").all():
        assert img.get_attribute("alt") is not None, img.evaluate("i => i.outerHTML")

    card = page.locator('meta[property="og:image"]').get_attribute("content")
    assert card.startswith(live_server.url + "/media/renditions/")
    assert page.request.get(card).status == 200

    problems = html_validator({screen: response.text()})
    errors = [problem for found in problems.values() for problem in found]
    assert not errors, "The Nu HTML Checker found errors:\n" + "\n".join(errors)
    serious = [v for v in axe(page) if v["impact"] in FAILING_IMPACTS]
    assert not serious, "axe-core found serious or critical violations:\n" + "\n".join(
        f"[{v['impact']}] {v['id']}: {v['help']}" for v in serious
    )
