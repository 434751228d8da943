"""Article pages: the article and its comment section, put together from the parts
every reader shares (kept in the page cache) and the few that are the reader's own.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control
from django.utils.safestring import mark_safe

from .. import conf, corrections, frontpage, seo
from ..discussion.forms import FORM_PLACEHOLDER, CommentForm
from ..discussion.policy import get_policy
from ..models import Article, Comment
from ..pagecache import (
    Fragments,
    Marks,
    cache_public_page,
    expires_by,
    fill_placeholders,
    marks_for,
    placeholder,
)
from .comment_pages import (
    CommentPageRequest,
    comment_url,
    load_page,
    page_query,
    requested_page,
)
from .items import answers_gone, item_for

OWN_COMMENTS_KEY = "newsroom_own_comments"


def own_comment_ids(request: HttpRequest) -> list[int]:
    """The reader's own comments that may still await moderation (kept in their session)."""
    return list(request.session.get(OWN_COMMENTS_KEY, []))


@dataclass
class ReplyForm:
    """The comment form placed under the comment it answers (``?reply=`` or a posted
    reply sent back with its errors)."""

    to: int  # the comment answered
    form_html: str
    cancel_url: str  # this page without the reply, at the comment


def _comment_listing(
    article: Article,
    own: list[int],
    is_open: bool,
    wanted: CommentPageRequest,
    reply: ReplyForm | None = None,
) -> dict:
    """One page of the rendered comment list, the approved count and the page's approved
    comments for structured data. Only the page's comments are loaded (``comment_pages``).
    With ``reply``, the form goes under the comment it answers when the page shows it
    (``replied`` says whether it did); such a list is the reader's own, never kept.
    """
    page = load_page(article, own, wanted)
    shown = page.flat()
    # Replies go to approved comments (the only ones with a Reply link).
    if reply is not None and not any(
        c.pk == reply.to and c.status == Comment.Status.APPROVED for c in shown
    ):
        reply = None
    query = page_query(page.number, page.order, page.thread.pk if page.thread else None)
    html = render_to_string(
        "newsroom/includes/comment_list.html",
        {
            "comments": page.comments,
            "pings": page.pings,
            "comments_open": is_open,
            "reply_depth": conf.get("COMMENT_REPLY_DEPTH"),
            "comment_page": page,
            "article": article,
            "page_links": page.links() if page.last > 1 else [],
            # A reply link keeps the reader on the page they are reading.
            "reply_query": f"{query}&reply=" if query else "?reply=",
            "reply": reply,
            # A reply page links back to where its comment is shown among the others.
            "thread_back_url": comment_url(page.thread, own) if page.thread else "",
        },
    )
    statuses = Comment.shown_statuses()
    approved = [c for c in shown if c.status in statuses]
    return {
        "html": mark_safe(html),  # noqa: S308 (rendered by the template engine, escaped)
        "replied": reply is not None,
        "count": page.approved_count,
        "for_json_ld": [
            {
                "pk": c.pk,
                "name": c.author_name,
                "time": c.submitted_at if c.time_known else None,
                "text": c.text_for_readers,
            }
            for c in approved[: conf.get("JSON_LD_COMMENTS")]
        ],
    }


def _blank_comment_form(
    request: HttpRequest, article: Article, parent: int | None, fragments: Fragments
) -> str:
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


def _reply_to(request: HttpRequest) -> int | None:
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
    comments: CommentPageRequest  # ?comments=N&order=: the comment page shown


def comment_section(
    request: HttpRequest,
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
    form_html = None
    if form is None and is_open:
        form_html = _blank_comment_form(request, article, page.reply_to, fragments)
    replying = page.reply_to if form is None else _posted_parent(form)
    listing = None
    if replying is not None and is_open:
        if form_html is None:
            form_html = mark_safe(  # noqa: S308 (rendered by the template engine, escaped)
                render_to_string(
                    "newsroom/includes/comment_form.html",
                    {"article": article, "comment_form": form},
                    request=request,
                )
            )
        reply = ReplyForm(replying, form_html, _cancel_url(article, page.comments, replying))
        listing = _comment_listing(article, own, is_open, page.comments, reply)
        if not listing["replied"]:
            listing = None  # not on this page: the form stays at the foot
    replied = listing is not None
    name = "comments-open" if is_open else "comments-closed"
    if listing is None and not own:
        listing = fragments.get(name)
    if listing is None:
        listing = _comment_listing(article, own, is_open, page.comments)
        if not own:
            fragments.keep(name, listing)
    return {
        "comment_list": listing["html"],
        "comment_count": listing["count"],
        "comments_for_json_ld": listing["for_json_ld"],
        "comments_open": is_open,
        "comment_form": None if replied else form,
        "comment_form_html": None if replied else form_html,
        "reply_placed": replied,
        "new_comment_url": _cancel_url(article, page.comments, None),
        "discussion_policy": article.discussion_policy or conf.get("DISCUSSION_POLICY"),
    }


def _posted_parent(form: CommentForm) -> int | None:
    """The comment a posted form answers, as sent (it is validated by the form)."""
    parent = form.data.get(form.add_prefix("parent"), "")
    valid = isinstance(parent, str) and parent.isascii() and parent.isdigit() and len(parent) < 19
    return int(parent) if valid else None


def _cancel_url(article: Article, wanted: CommentPageRequest, comment: int | None) -> str:
    """The comment page without ``?reply=``: at the comment, or at the form for a comment of
    one's own. Made from what the page is (not from the request's query string, which the
    cached page would keep for everyone)."""
    query = page_query(wanted.number, wanted.order, wanted.thread)
    anchor = f"#comment-{comment}" if comment is not None else "#comment-form"
    return f"{article.get_absolute_url()}{query}{anchor}"


def shared_parts(request: HttpRequest, slug: str, form: CommentForm | None) -> Fragments:
    """The parts of an article's page that every reader of this address shares, looked up
    in the cache at once, before the article itself is known: its row, the comment list
    (open or closed to new comments), the blank form, and the article with its metadata.
    Which of them a page uses depends on the article, the reader and the request."""
    # The list and the article's parts (its JSON-LD lists the page's comments) are kept
    # per comment page and order.
    shown = requested_page(request).key
    wanted = {
        "record": (),
        "comments-open": shown,
        "comments-closed": shown,
        "article": (request.scheme, request.get_host(), *shown),
    }
    if form is None:
        wanted["comment_form"] = (_reply_to(request) or "",)
    return Fragments(slug, wanted)


@cache_public_page(
    article_slug=lambda kwargs: kwargs["slug"], query=("reply", "comments", "order", "thread")
)
@answers_gone
def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """An article and its comment section; 410 once it has expired. Staff also see drafts,
    scheduled and expired articles."""
    fragments = shared_parts(request, slug, form=None)
    # A published article's row is kept with its page's parts: while they are current,
    # the page needs no query. Bylines and tags are fetched only to render the parts.
    article = fragments.get("record")
    if article is None or not article.is_published:
        articles = Article.objects.select_related("section", "featured_image")
        article = item_for(request, articles.prefetch_related("featured_image__renditions"), slug)
        if article.is_published:
            fragments.keep("record", article)
    return render_article(request, article, fragments=fragments)


def render_article(
    request: HttpRequest,
    article: Article,
    form: CommentForm | None = None,
    status: int = 200,
    fragments: Fragments | None = None,
    preview: bool | None = None,
) -> HttpResponse:
    """The article's page. ``preview``: rendered for staff, never kept in the cache (by
    default, when the article is not published; the admin previews draft changes of a
    published one)."""
    page = ArticlePage(
        preview=not article.is_published if preview is None else preview,
        comments_open=get_policy().comments_open(article),
        own_comments=own_comment_ids(request),
        reply_to=_reply_to(request),
        comments=requested_page(request),
    )
    if fragments is None:
        fragments = shared_parts(request, article.slug, form)
    # The cached page must not outlive the article.
    expires_by(request, article.expires_at)
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
    request: HttpRequest, article: Article, context: dict, fragments: Fragments, preview: bool
) -> dict:
    """The article itself, its corrections and updates, its metadata (the <head>,
    structured data included) and the section menu.

    They are the same for every reader of this address, so they are rendered once per
    change of the content or the comments and kept in the cache; a staff preview is
    rendered every time.
    """
    parts = None if preview else fragments.get("article")
    if parts is not None:
        return parts
    prefetch_related_objects([article], "authors", "tags")
    notes = corrections.notes_for(article)
    context = {
        **context,
        "notes": notes,
        "json_ld": seo.article_json_ld(
            request, article, context["comments_for_json_ld"], context["comment_count"], notes
        ),
    }
    parts = {
        name: mark_safe(render_to_string(template, context, request))  # noqa: S308 (escaped)
        for name, template in [
            ("head_html", "newsroom/includes/head.html"),
            ("article_html", "newsroom/includes/article_body.html"),
        ]
    }
    # The header's section menu, kept with them: a page from kept parts makes no query.
    parts["menu"] = frontpage.menu_sections()
    if not preview:
        fragments.keep("article", parts)
    return parts
