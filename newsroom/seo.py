"""What search engines and social networks read: page meta tags and JSON-LD."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.html import strip_tags
from django.utils.text import Truncator

from . import conf
from .images.renditions import CARD_SIZE
from .models import ItemNote
from .sites import absolute_url


def page_meta(
    request,
    *,
    title: str,
    description: str = "",
    image: str = "",
    image_alt: str = "",
    image_size: tuple[int, int] | None = None,
    kind: str = "website",
    canonical: str | None = None,
    published=None,
    modified=None,
) -> dict[str, Any]:
    """The <head> of a page: title, description, canonical link, Open Graph and Twitter."""
    return {
        "title": title,
        "site_name": conf.get("SITE_NAME"),
        "description": Truncator(" ".join(strip_tags(description).split())).chars(300),
        "canonical": absolute_url(request, canonical or request.path),
        "image": absolute_url(request, image) if image else "",
        "image_alt": image_alt,
        "image_size": image_size if image else None,
        "kind": kind,
        "published": published,
        "modified": modified,
    }


def _people(item) -> list[dict[str, str]]:
    return [{"@type": "Person", "name": author.name} for author in item.authors.all()]


def item_meta(request, item) -> dict[str, Any]:
    """The item's meta tags; its image is the 1200×630 social card (until the image is
    fetched into the library, its source URL)."""
    image, card = item.featured_image, item.image_src
    return page_meta(
        request,
        title=item.title,
        description=item.description or getattr(item, "summary", "") or item.body,
        image=card,
        image_alt=image.alt_text if image else "",
        # The size only when the card rendition is what is shown.
        image_size=CARD_SIZE if image and card and card != image.url else None,
        kind="article",
        canonical=item.get_absolute_url(),
        published=item.published_at,
        modified=item.modified_at,
    )


def _with_notes(data: dict[str, Any], notes: Iterable[ItemNote]) -> dict[str, Any]:
    """Corrections as schema.org's ``correction`` (a ``CorrectionComment`` each, newest
    first); updates count in ``dateModified`` (the item's ``modified_at``) alone."""
    corrections = [
        {"@type": "CorrectionComment", "text": note.text, "datePublished": note.noted_at}
        for note in notes
        if note.kind == ItemNote.Kind.CORRECTION
    ]
    if corrections:
        data["correction"] = corrections
    return data


def article_json_ld(
    request, article, comments=(), comment_count: int = 0, notes: Iterable[ItemNote] = ()
) -> dict[str, Any]:
    """NewsArticle, with the comment count, the newest comments (dicts: pk, name, time,
    text) and the corrections readers see."""
    url = absolute_url(request, article.get_absolute_url())
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title[:110],
        "description": article.description,
        "url": url,
        "mainEntityOfPage": url,
        "datePublished": article.published_at,
        "dateModified": article.modified_at,
        "author": _people(article),
        "publisher": {"@type": "Organization", "name": conf.get("SITE_NAME")},
        "keywords": [tag.name for tag in article.tags.all()],
    }
    if article.section:
        data["articleSection"] = article.section.name
    if article.dateline:
        data["locationCreated"] = {"@type": "Place", "name": article.dateline}
    if article.image_src:
        data["image"] = [absolute_url(request, article.image_src)]
    if comment_count:
        data["commentCount"] = comment_count
        data["comment"] = [
            {
                "@type": "Comment",
                "author": {"@type": "Person", "name": comment["name"]},
                # A comment whose time is unknown (an imported one) gives none.
                **({"dateCreated": comment["time"]} if comment["time"] else {}),
                "text": comment["text"],
                "url": f"{url}#comment-{comment['pk']}",
            }
            for comment in comments
        ]
    return _with_notes(data, notes)


def quote_json_ld(request, quote, notes: Iterable[ItemNote] = ()) -> dict[str, Any]:
    url = absolute_url(request, quote.get_absolute_url())
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Quotation",
        "text": quote.quote,
        "name": quote.title,
        "description": quote.summary or quote.description,
        "url": url,
        "datePublished": quote.published_at,
        "dateModified": quote.modified_at,
    }
    if quote.speaker:
        data["spokenByCharacter"] = {"@type": "Person", "name": quote.speaker}
    if quote.citation:
        data["citation"] = quote.citation
    if quote.image_src:
        data["image"] = [absolute_url(request, quote.image_src)]
    return _with_notes(data, notes)
