"""Comment pages: which top-level comments (and their replies) one page of an article's
comments shows, which page a comment is on, and the links between the pages.

A page loads only its own comments, whatever the thread's size: the top level by offset on
the index in reading order (``comment_thread_idx``: the page's ids are found from the index
alone, then only its rows are read), the replies by ``parent__in``, one query per level of
nesting. The counts come from the same index.

Each comment shows its first ``REPLIES_SHOWN`` replies; the rest are on its own reply pages
(``?thread=<pk>``), which show the comment and a page of its replies, each with their first
replies in turn. So a page is bounded however many replies one comment draws.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise

from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.http import Http404, HttpRequest

from .. import conf
from ..models import Article, Comment, CommentCount, ReadingPosition

OLDEST, NEWEST = "oldest", "newest"
# Replies nested deeper than this (only imported threads have them) are not shown: it
# bounds the queries of a page.
MAX_REPLY_LEVELS = 8
# Pages linked on either side of the one shown; the first and the last are always linked.
NEIGHBOURS = 2


@dataclass(frozen=True)
class CommentPageRequest:
    """The comment page a request asks for (from the query string): its number and order,
    and the comment whose replies it shows (None for the article's own comment pages)."""

    number: int
    order: str
    thread: int | None = None

    @property
    def key(self) -> tuple[int, str, int | str]:
        return (self.number, self.order, self.thread or "")


def default_order() -> str:
    return NEWEST if conf.get("COMMENTS_ORDER") == NEWEST else OLDEST


def requested_page(request: HttpRequest) -> CommentPageRequest:
    """``?comments=N&order=newest``; a page number that is not one is refused (404), so
    that the page cache keeps no copies of page 1 under other addresses."""
    raw = request.GET.get("comments", "1")
    if not (raw.isascii() and raw.isdigit() and len(raw) < 10 and int(raw) >= 1):
        raise Http404("No such comment page.")
    order = request.GET.get("order", "")
    thread = request.GET.get("thread")
    if thread is not None and not (thread.isascii() and thread.isdigit() and len(thread) < 19):
        raise Http404("No such comment.")
    return CommentPageRequest(
        int(raw),
        order if order in (OLDEST, NEWEST) else default_order(),
        int(thread) if thread else None,
    )


def page_query(number: int, order: str, thread: int | None = None) -> str:
    """The query string of a comment page ('' for the first page in the default order)."""
    params = [f"thread={thread}"] if thread else []
    if number > 1:
        params.append(f"comments={number}")
    if order != default_order() and not thread:
        params.append(f"order={order}")
    return f"?{'&'.join(params)}" if params else ""


def replies_shown() -> int:
    return conf.get("REPLIES_SHOWN")


def visible_filter(own: list[int]) -> Q:
    visible = Q(status__in=Comment.shown_statuses())
    if own:
        visible |= Q(pk__in=own, status=Comment.Status.PENDING)
    return visible


def _ordered(queryset: QuerySet, order: str) -> QuerySet:
    # Imported comments share timestamps and keep their old position; NULL positions sort
    # as 0 so that every database orders them alike (and the page of a comment is exact).
    fields = ["submitted_at", "pos", "pk"]
    if order == NEWEST:
        fields = [f"-{name}" for name in fields]
    return queryset.annotate(pos=ReadingPosition()).order_by(*fields)


def _top_level(article: Article, own: list[int]) -> QuerySet:
    return article.comments.filter(visible_filter(own), kind=Comment.Kind.COMMENT, parent=None)


@dataclass
class CommentPage:
    """One page of an article's comments, its replies attached (``comment.children``; the
    number of replies not shown in ``comment.more_replies``). On a reply page (``thread``),
    ``comments`` holds the one comment whose replies the page shows."""

    number: int
    order: str
    last: int
    approved_count: int
    comments: list[Comment] = field(default_factory=list)
    pings: list[Comment] = field(default_factory=list)
    thread: Comment | None = None

    def links(self) -> list[dict]:
        """The links to the other pages: the first, the last and the neighbours."""
        shown = {1, self.last, *range(self.number - NEIGHBOURS, self.number + NEIGHBOURS + 1)}
        numbers = sorted(n for n in shown if 1 <= n <= self.last)
        thread = self.thread.pk if self.thread else None
        return [
            {
                "number": n,
                "query": page_query(n, self.order, thread) or "?",
                "current": n == self.number,
            }
            for n in numbers
        ]

    def flat(self) -> list[Comment]:
        """The page's comments in reading order, replies after their parent."""
        out: list[Comment] = []
        stack = list(reversed(self.comments))
        while stack:
            comment = stack.pop()
            out.append(comment)
            stack.extend(reversed(comment.children))
        return out


def load_page(article: Article, own: list[int], wanted: CommentPageRequest) -> CommentPage:
    """The comments of one page; 404 past the last page, or for a thread that is not one
    of the article's visible comments."""
    per_page = conf.get("COMMENTS_PER_PAGE")
    counts = _counts(article, own)
    thread = None
    if wanted.thread is not None:
        visible = article.comments.filter(visible_filter(own), kind=Comment.Kind.COMMENT)
        thread = visible.filter(pk=wanted.thread).first()
        if thread is None:
            raise Http404("No such comment.")
        entries = visible.filter(parent=thread)
        order = OLDEST
        total = entries.count()
    else:
        entries = _top_level(article, own)
        order = wanted.order
        total = counts["top"]
    last = max(1, -(-total // per_page))
    if wanted.number > last:
        raise Http404("No such comment page.")
    start = (wanted.number - 1) * per_page
    ids = _ordered(entries, order).values("pk")[start : start + per_page]
    top = list(_ordered(Comment.objects.filter(pk__in=ids), order))
    page = CommentPage(wanted.number, order, last, counts["approved"], top)
    if thread is not None:
        thread.children, thread.more_replies = top, 0
        page.comments, page.thread = [thread], thread
    level = top
    for _depth in range(MAX_REPLY_LEVELS):
        for comment in level:
            comment.children, comment.more_replies = [], 0
        if not level:
            break
        by_pk = {comment.pk: comment for comment in level}
        level = _first_replies(article, own, by_pk)
        for reply in level:
            parent = by_pk[reply.parent_id]
            parent.children.append(reply)
            parent.more_replies = reply.siblings - replies_shown()
    if wanted.number == 1 and thread is None:
        pings = article.comments.filter(visible_filter(own)).pings()
        page.pings = list(_ordered(pings, OLDEST)[:per_page])
    return page


def _counts(article: Article, own: list[int]) -> dict[str, int]:
    """The article's comments readers see (approved; reported too where they are shown),
    and the top-level comments this reader sees: those, from the row the database keeps
    (``CommentCount``), plus their own pending ones (a lookup by their ids)."""
    row = CommentCount.objects.filter(article=article).values().first() or {}
    statuses = Comment.shown_statuses()
    approved = sum(row.get(status, 0) for status in statuses)
    top = sum(row.get(f"{status}_top", 0) for status in statuses)
    if own:
        top += article.comments.filter(
            pk__in=own, status=Comment.Status.PENDING, kind=Comment.Kind.COMMENT, parent=None
        ).count()
    return {"approved": approved, "top": top}


def _first_replies(article: Article, own: list[int], parents: dict[int, Comment]) -> list:
    """The first ``REPLIES_SHOWN`` visible replies of each parent, oldest first, each with
    ``siblings``: how many visible replies its parent has."""
    by_parent = {"partition_by": F("parent")}
    reading = [F("submitted_at").asc(), ReadingPosition().asc(), F("pk").asc()]
    replies = article.comments.filter(visible_filter(own), parent__in=parents).annotate(
        nth=Window(RowNumber(), order_by=reading, **by_parent),
        siblings=Window(Count("pk"), **by_parent),
    )
    return list(_ordered(replies.filter(nth__lte=replies_shown()), OLDEST))


def _ahead(siblings: QuerySet, comment: Comment, order: str) -> int:
    """How many of ``siblings`` come before ``comment`` in ``order``."""
    pos, t = comment.position or 0, comment.submitted_at
    if order == OLDEST:
        before = Q(submitted_at__lt=t) | Q(submitted_at=t, pos__lt=pos)
        before |= Q(submitted_at=t, pos=pos, pk__lt=comment.pk)
    else:
        before = Q(submitted_at__gt=t) | Q(submitted_at=t, pos__gt=pos)
        before |= Q(submitted_at=t, pos=pos, pk__gt=comment.pk)
    return siblings.annotate(pos=ReadingPosition()).filter(before).count()


def place_of(comment: Comment, own: list[int], order: str | None = None) -> tuple[int | None, int]:
    """Where ``comment`` is shown (in ``order``, the default if None): the comment whose
    reply pages show it (None for the article's comment pages) and the page number.

    A comment is shown under its parent unless it is past the parent's first replies; then
    it is on its parent's reply pages, where its own replies may be past the first in turn.
    """
    chain = [comment]
    for _depth in range(MAX_REPLY_LEVELS + 1):
        if chain[-1].parent_id is None:
            break
        chain.append(chain[-1].parent)
    top = chain[-1]
    if top.kind != Comment.Kind.COMMENT:
        return None, 1
    per_page = conf.get("COMMENTS_PER_PAGE")
    thread, number = None, _ahead(_top_level(top.article, own), top, order or default_order())
    number = number // per_page + 1
    visible = top.article.comments.filter(visible_filter(own))
    for child, parent in reversed(list(pairwise(chain))):
        ahead = _ahead(visible.filter(parent=parent), child, OLDEST)
        if ahead >= replies_shown():
            thread, number = parent.pk, ahead // per_page + 1
    return thread, number


def comment_url(comment: Comment, own: list[int]) -> str:
    """Where a comment is read: its article, the page that shows it, its anchor."""
    thread, number = place_of(comment, own)
    query = page_query(number, default_order(), thread)
    return f"{comment.article.get_absolute_url()}{query}#comment-{comment.pk}"
