"""Reader pages. Which items and comments a reader may see is decided by the QuerySets;
what a page costs is decided here, and asserted in the tests."""

from __future__ import annotations

import calendar
import functools
import logging
import sys
from dataclasses import dataclass
from datetime import date

from django.contrib import messages
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import InterfaceError, OperationalError
from django.db.models import Min, Q, prefetch_related_objects
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST
from taggit.models import Tag

from . import conf, kinds, search, seo
from .discussion import posting
from .discussion.forms import FORM_PLACEHOLDER, CommentForm
from .discussion.policy import get_policy
from .models import Article, Author, Comment, Section
from .pagecache import (
    Fragments,
    Marks,
    cache_public_page,
    fill_placeholders,
    marks_for,
    placeholder,
)
from .timeline import Timeline

OWN_COMMENTS_KEY = "newsroom_own_comments"
logger = logging.getLogger(__name__)


def next_publication():
    """The moment the next scheduled item goes live: listing pages expire then."""
    moments = [
        kind.model.objects.scheduled().aggregate(first=Min("published_at"))["first"]
        for kind in kinds.registered()
    ]
    return min((m for m in moments if m is not None), default=None)


def paginate(request, timeline: Timeline):
    paginator = Paginator(timeline, conf.get("PAGE_SIZE"))
    try:
        return paginator.page(request.GET.get("page", 1))
    except PageNotAnInteger:
        return paginator.page(1)
    except EmptyPage:
        raise Http404(_("There is no such page.")) from None


def render_listing(
    request,
    *,
    title: str,
    timeline: Timeline,
    description: str = "",
    feeds: dict | None = None,
    extra: dict | None = None,
):
    page = paginate(request, timeline)
    canonical = request.path + (f"?page={page.number}" if page.number > 1 else "")
    context = {
        "title": title,
        "description": description,
        "page": page,
        "items": page.object_list,
        "feeds": feeds or {},
        "meta": seo.page_meta(request, title=title, description=description, canonical=canonical),
        **(extra or {}),
    }
    return render(request, "newsroom/listing.html", context)


@cache_public_page(expires=next_publication, query=("page",))
def home(request):
    breaking = []
    if request.GET.get("page", "1") == "1":
        breaking = Timeline.of(lambda model: model.objects.breaking())[:5]
    return render_listing(
        request,
        title=_("Latest news"),
        timeline=Timeline.published(),
        feeds=_feeds("rss", "atom"),
        extra={"breaking": breaking, "is_home": True},
    )


def _feeds(rss: str, atom: str, **kwargs) -> dict[str, str]:
    return {
        "RSS": reverse(f"newsroom:feed_{rss}", kwargs=kwargs),
        "Atom": reverse(f"newsroom:feed_{atom}", kwargs=kwargs),
    }


@cache_public_page(expires=next_publication, query=("page",))
def section_page(request, slug: str):
    section = get_object_or_404(Section, slug=slug)
    return render_listing(
        request,
        title=section.name,
        description=section.description,
        timeline=Timeline.published(section=section),
        feeds=_feeds("section_rss", "section_atom", slug=slug),
    )


@cache_public_page(expires=next_publication, query=("page",))
def tag_page(request, slug: str):
    tag = get_object_or_404(Tag, slug=slug)
    return render_listing(
        request,
        title=_("Tagged “%(tag)s”") % {"tag": tag.name},
        timeline=Timeline.published(tags__slug=slug),
        feeds=_feeds("tag_rss", "tag_atom", slug=slug),
    )


@cache_public_page(expires=next_publication, query=("page",))
def author_page(request, slug: str):
    author = get_object_or_404(Author, slug=slug)
    return render_listing(
        request,
        title=author.name,
        description=author.bio,
        timeline=Timeline.published(authors=author),
        extra={"author": author},
    )


@cache_public_page(expires=next_publication, query=("page",))
def archive_page(request, year: int, month: int):
    if not 1 <= month <= 12 or not 1900 <= year <= 9999:
        raise Http404(_("There is no such month."))
    first = timezone.make_aware(timezone.datetime(year, month, 1))
    last_day = calendar.monthrange(year, month)[1]
    after = first + timezone.timedelta(days=last_day)
    return render_listing(
        request,
        title=date(year, month, 1).strftime("%B %Y"),
        timeline=Timeline.published(published_at__gte=first, published_at__lt=after),
    )


def search_page(request):
    query = request.GET.get("q", "").strip()[:200]
    results = search.search(query) if query else []
    context = {
        "query": query,
        "results": results,
        "meta": seo.page_meta(request, title=_("Search"), canonical=request.path),
    }
    return render(request, "newsroom/search.html", context)


def server_error(request):
    """The 500 page; a database that cannot be reached is a 503 with a retry hint instead.

    Use it as the project's ``handler500``; Django calls it while the exception is current.
    """
    error = sys.exc_info()[1]
    if isinstance(error, (OperationalError, InterfaceError)):
        logger.error("Database unreachable: answering 503.")
        response = render(request, "newsroom/unavailable.html", status=503)
        response["Retry-After"] = "30"
        return response
    return render(request, "500.html", status=500)


def robots_txt(request):
    sitemap = request.build_absolute_uri(reverse("sitemap"))
    lines = ["User-agent: *", "Disallow: /admin/", "Disallow: /search/", f"Sitemap: {sitemap}"]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


def _own_comment_ids(request) -> list[int]:
    return list(request.session.get(OWN_COMMENTS_KEY, []))


def _comment_listing(article: Article, own: list[int], is_open: bool) -> dict:
    """The rendered comment list, its count and the newest comments for structured data.

    Built from one query; the comments arrive as a tree, pingbacks apart.
    """
    visible = Q(status=Comment.Status.APPROVED)
    if own:
        visible |= Q(pk__in=own, status=Comment.Status.PENDING)
    shown = list(article.comments.filter(visible).order_by("submitted_at", "position", "pk"))
    replies: dict[int, list[Comment]] = {}
    for comment in shown:
        if comment.parent_id:
            replies.setdefault(comment.parent_id, []).append(comment)
    top_level, pings, approved = [], [], []
    for comment in shown:
        comment.children = replies.get(comment.pk, [])
        if comment.kind != Comment.Kind.COMMENT:
            pings.append(comment)
            continue
        if comment.parent_id is None:
            top_level.append(comment)
        if comment.status == Comment.Status.APPROVED:
            approved.append(comment)
    html = render_to_string(
        "newsroom/includes/comment_list.html",
        {
            "comments": top_level,
            "pings": pings,
            "comments_open": is_open,
            "reply_depth": conf.get("COMMENT_REPLY_DEPTH"),
        },
    )
    newest = approved[-conf.get("JSON_LD_COMMENTS") :]
    return {
        "html": mark_safe(html),  # noqa: S308 (rendered by the template engine, escaped)
        "count": len(approved),
        "for_json_ld": [
            {"pk": c.pk, "name": c.author_name, "time": c.submitted_at, "text": c.text_for_readers}
            for c in newest
        ],
    }


def _blank_comment_form(request, article: Article, parent: int | None, fragments: Fragments) -> str:
    """The empty comment form, the same for every reader but for its two tokens.

    It is rendered with placeholders and kept in the cache; the tokens are filled in here,
    unless the whole page is being cached, which fills them on every hit itself.
    """
    parts = fragments.get("comment_form")
    if parts is None:
        # Both tokens are placeholders here, filled in for each reader below.
        marks = Marks()
        initial = {"token": marks.mark(placeholder(FORM_PLACEHOLDER, article.pk))}
        if parent is not None:
            initial["parent"] = parent
        html = render_to_string(
            "newsroom/includes/comment_form.html",
            {
                "article": article,
                "comment_form": CommentForm(article=article, initial=initial),
                "placeholders": marks,
            },
            request=request,
        )
        parts = marks.split(html)
        fragments.keep("comment_form", parts)
    page_marks = marks_for(request)
    if page_marks is not None:
        html = page_marks.join(parts)
    else:
        html = fill_placeholders(request, parts).decode()
    return mark_safe(html)  # noqa: S308 (rendered by the template engine, escaped)


def _reply_to(request) -> int | None:
    reply_to = request.GET.get("reply", "")
    # ASCII digits only ("²".isdigit() is true too), and a length a primary key can have.
    valid = reply_to.isascii() and reply_to.isdigit() and len(reply_to) < 19
    return int(reply_to) if valid else None


@dataclass
class ArticlePage:
    """What an article page depends on besides the article: who asks, and what for."""

    preview: bool  # a staff preview of a draft or scheduled article
    comments_open: bool
    own_comments: list[int]  # the reader's pending comments, shown to them alone
    reply_to: int | None  # ?reply=: the comment the form answers


def comment_section(
    request,
    article: Article,
    form: CommentForm | None,
    page: ArticlePage,
    fragments: Fragments,
) -> dict:
    """What the comment section shows: the policy, the comment list and the form.

    Readers with no pending comment of their own all see the same list, so it is rendered
    once per change of the comments and kept in the cache (``fragments``).
    """
    own, is_open = page.own_comments, page.comments_open
    name = "comments-open" if is_open else "comments-closed"
    listing = None if own else fragments.get(name)
    if listing is None:
        listing = _comment_listing(article, own, is_open)
        if not own:
            fragments.keep(name, listing)
    form_html = None
    if form is None and is_open:
        form_html = _blank_comment_form(request, article, page.reply_to, fragments)
    return {
        "comment_list": listing["html"],
        "comment_count": listing["count"],
        "comments_for_json_ld": listing["for_json_ld"],
        "comments_open": is_open,
        "comment_form": form,
        "comment_form_html": form_html,
        "discussion_policy": article.discussion_policy or conf.get("DISCUSSION_POLICY"),
    }


def shared_parts(request, slug: str, form: CommentForm | None) -> Fragments:
    """The parts of an article's page that every reader of this address shares, looked up
    in the cache at once, before the article itself is known: its row, the comment list
    (open or closed to new comments), the blank form, and the article with its metadata.
    Which of them a page uses depends on the article, the reader and the request."""
    wanted = {
        "record": (),
        "comments-open": (),
        "comments-closed": (),
        "article": (request.scheme, request.get_host()),
    }
    if form is None:
        wanted["comment_form"] = (_reply_to(request) or "",)
    return Fragments(slug, wanted)


@cache_public_page(article_slug=lambda kwargs: kwargs["slug"], query=("reply",))
def article_detail(request, slug: str):
    """An article and its comment section. Staff also see drafts and scheduled articles."""
    fragments = shared_parts(request, slug, form=None)
    # A published article's row is kept with its page's parts: while they are current,
    # the page needs no query. Bylines and tags are fetched only to render the parts.
    article = fragments.get("record")
    if article is None or not article.is_published:
        articles = Article.objects.visible_to(request.user).select_related("section")
        article = get_object_or_404(articles, slug=slug)
        if article.is_published:
            fragments.keep("record", article)
    return render_article(request, article, fragments=fragments)


def render_article(
    request,
    article: Article,
    form: CommentForm | None = None,
    status=200,
    fragments: Fragments | None = None,
):
    page = ArticlePage(
        preview=not article.is_published,
        comments_open=get_policy().comments_open(article),
        own_comments=_own_comment_ids(request),
        reply_to=_reply_to(request),
    )
    if fragments is None:
        fragments = shared_parts(request, article.slug, form)
    context = {
        "article": article,
        "preview": page.preview,
        "meta": seo.item_meta(request, article),
        **comment_section(request, article, form, page, fragments),
    }
    context.update(_article_fragments(request, article, context, fragments, page.preview))
    fragments.save()
    response = render(request, "newsroom/article_detail.html", context, status=status)
    if page.own_comments or form is not None or page.comments_open:
        # This reader's tokens, pending comments or form: for their browser alone.
        patch_cache_control(response, private=True)
    return response


def _article_fragments(
    request, article: Article, context: dict, fragments: Fragments, preview: bool
) -> dict:
    """The article itself and its metadata (the <head>, structured data included).

    They are the same for every reader of this address, so they are rendered once per
    change of the content or the comments and kept in the cache; a staff preview is
    rendered every time.
    """
    parts = None if preview else fragments.get("article")
    if parts is not None:
        return parts
    prefetch_related_objects([article], "authors", "tags")
    context = {
        **context,
        "json_ld": seo.article_json_ld(
            request, article, context["comments_for_json_ld"], context["comment_count"]
        ),
    }
    parts = {
        name: mark_safe(render_to_string(template, context, request))  # noqa: S308 (escaped)
        for name, template in [
            ("head_html", "newsroom/includes/head.html"),
            ("article_html", "newsroom/includes/article_body.html"),
        ]
    }
    if not preview:
        fragments.keep("article", parts)
    return parts


def _refuse(request, article: Article, message: str, status: int):
    return render(
        request,
        "newsroom/comment_refused.html",
        {"article": article, "message": message},
        status=status,
    )


def limit_request_size(view):
    """Refuse a request larger than ``NEWSROOM_COMMENT_MAX_REQUEST_BYTES`` (413) before
    anything reads its body, and keep no uploaded file: a comment has none.

    CSRF is checked inside it (``csrf_protect``), since Django's CSRF middleware reads
    the whole form, uploads included, before any view runs.
    """

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django reads no body it cannot measure
        if length > conf.get("COMMENT_MAX_REQUEST_BYTES"):
            return HttpResponse(
                _("This comment is too large to send."), status=413, content_type="text/plain"
            )
        request.upload_handlers = []  # file parts are read past and dropped, never stored
        return view(request, *args, **kwargs)

    return csrf_exempt(wrapper)


@limit_request_size
@require_POST
@csrf_protect
def post_comment(request, slug: str):
    """Take a reader's comment; answer with a redirect back to the article (PRG)."""
    article = get_object_or_404(Article.objects.published(), slug=slug)
    if not get_policy().comments_open(article):
        return _refuse(request, article, _("Comments are closed on this article."), 403)
    fingerprint = posting.client_fingerprint(request)
    if posting.over_rate_limit(fingerprint):
        return _refuse(
            request,
            article,
            _("You are posting too quickly. Wait a minute, then send your comment again."),
            429,
        )
    form = CommentForm(request.POST, article=article)
    if not form.is_valid():
        article = Article.objects.for_page().get(pk=article.pk)
        return render_article(request, article, form, status=400)

    comment = form.save(commit=False)  # posting.submit stores it
    comment.ip_hash = fingerprint
    if request.user.is_authenticated:
        comment.user = request.user
    submission = posting.submit(
        comment,
        site_url=request.build_absolute_uri("/"),
        form_token=form.cleaned_data["token"],
    )
    stored = submission.comment
    if submission.replayed:
        return _refuse(
            request,
            article,
            _("This form has been sent already. Reload the page to write another comment."),
            400,
        )
    if submission.duplicate:
        messages.info(request, _("You have already posted this comment."))
    elif submission.published:
        messages.success(request, _("Your comment has been published."))
    else:
        messages.info(request, _("Your comment is awaiting moderation."))
    own = [stored.pk, *(pk for pk in _own_comment_ids(request) if pk != stored.pk)]
    request.session[OWN_COMMENTS_KEY] = own[:50]
    return redirect(f"{article.get_absolute_url()}#comment-{stored.pk}")
