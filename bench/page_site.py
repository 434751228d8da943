"""The site bench/pages.py measures: the front page's articles and quick quotes, and one
article with 200 approved comments (replies among them) plus held ones it must filter out.
"""

from __future__ import annotations

from datetime import timedelta

COMMENTED_SLUG = "two-hundred-comments"
APPROVED_COMMENTS = 200
REPLIES = 40  # of the 200: replies to the first 40 top-level comments
HIDDEN_COMMENTS = 20  # pending and spam: stored, filtered out of the page
WORDS = [
    *("government", "parliament", "minister", "statement", "community", "church", "school"),
    *("election", "border", "ceasefire", "agreement", "talks", "protest", "festival"),
    *("report", "economy", "energy", "water", "road"),
]


def seed() -> None:
    """Migrate and collect the static files (as a deployment does), then write the front
    page's items and the article with its comments."""
    from django.core.management import call_command
    from django.db import connections, transaction
    from django.utils import timezone

    from newsroom.models import Article, Author, Comment, Image, Section
    from quickquotes.models import QuickQuote

    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)
    now = timezone.now()
    # As an imported picture not fetched yet: shown from its URL.
    image = Image.objects.create(
        source_url="https://example.com/image.jpg", alt_text="A photo", fetch_status="pending"
    )
    with transaction.atomic():
        sections = [
            Section.objects.create(name=name, slug=name.lower())
            for name in ("Politics", "Community", "World", "Economy", "Culture")
        ]
        authors = [
            Author.objects.create(name=f"Reporter {i}", slug=f"reporter-{i}", bio="Writes.")
            for i in range(8)
        ]
        tags = [f"{word}-{i}" for i, word in enumerate(WORDS[:15])]
        for i in range(50):
            text = " ".join(WORDS[(i + j) % len(WORDS)] for j in range(14))
            article = Article.objects.create(
                title=f"Article {i}: {text[:60]}",
                slug=COMMENTED_SLUG if i == 0 else f"article-{i}",
                section=sections[i % len(sections)],
                description=f"{text.capitalize()}.",
                body="\n\n".join(f"{text.capitalize()} *{i}.{p}*." for p in range(8)),
                dateline="YEREVAN" if i % 2 else "",
                featured_image=image if i % 5 == 0 else None,
                is_breaking=i in (3, 7),
                status=Article.Status.PUBLISHED,
                published_at=now - timedelta(hours=2 * i + 1),
            )
            article.authors.set(authors[i % 8 : i % 8 + 1 + i % 2])
            article.tags.set(tags[i % 15 : i % 15 + 3])
        for i in range(30):
            quote = QuickQuote.objects.create(
                title=f"Quote {i}",
                slug=f"quote-{i}",
                quote=" ".join(WORDS[(i + j) % len(WORDS)] for j in range(20)).capitalize(),
                summary="Said at a press conference.",
                speaker=f"Speaker {i}",
                citation="https://example.com/source",
                section=sections[i % len(sections)],
                status=QuickQuote.Status.PUBLISHED,
                published_at=now - timedelta(hours=3 * i + 2),
            )
            quote.authors.set(authors[i % 8 : i % 8 + 1])
            quote.tags.set(tags[i % 15 : i % 15 + 2])

        article = Article.objects.get(slug=COMMENTED_SLUG)
        started = article.published_at

        def comment(n: int, status: str, parent: Comment | None = None) -> Comment:
            body = " ".join(WORDS[(n + j) % len(WORDS)] for j in range(30))
            return Comment(
                article=article,
                parent=parent,
                author_name=f"Reader {n}",
                author_email=f"reader{n}@example.com",
                author_url="https://example.org/" if n % 4 == 0 else "",
                body=f"{body.capitalize()}.\n\n{body[:80].capitalize()}.\nThanks.",
                status=status,
                submitted_at=started + timedelta(minutes=n),
            )

        top_level = APPROVED_COMMENTS - REPLIES
        Comment.objects.bulk_create([comment(n, Comment.Status.APPROVED) for n in range(top_level)])
        parents = list(article.comments.order_by("submitted_at", "pk")[:REPLIES])
        Comment.objects.bulk_create(
            [
                comment(top_level + n, Comment.Status.APPROVED, parent)
                for n, parent in enumerate(parents)
            ]
            + [
                comment(1000 + n, Comment.Status.PENDING if n % 2 else Comment.Status.SPAM)
                for n in range(HIDDEN_COMMENTS)
            ]
        )
    connections.close_all()
