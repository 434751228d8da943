"""Comment pages: which top-level comments (and their replies) one page of an article's
comments shows, which page a comment is on, and the links between the pages.

A page loads only its own comments, whatever the thread's size: the top level by offset on
the index in reading order (``comment_thread_idx``: the page's ids are found from the index
alone, then only its rows are read), the replies by ``parent__in``, one query per level of
nesting. The counts come from the same index.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest

from .. import conf
from ..models import Article, Comment, ReadingPosition

OLDEST, NEWEST = "oldest", "newest"
# Replies nested deeper than this (only imported threads have them) are not shown: it
# bounds the queries of a page.
MAX_REPLY_LEVELS = 8
# Pages linked on either side of the one shown; the first and the last are always linked.
NEIGHBOURS = 2


@dataclass(frozen=True)
class CommentPageRequest:
    """The comment page a request asks for: its number and order (from the query string)."""

    number: int
    order: str

    @property
    def key(self) -> tuple[int, str]:
        return (self.number, self.order)


def default_order() -> str:
    return NEWEST if conf.get("COMMENTS_ORDER") == NEWEST else OLDEST


def requested_page(request: HttpRequest) -> CommentPageRequest:
    """``?comments=N&order=newest``; a page number that is not one is refused (404), so
    that the page cache keeps no copies of page 1 under other addresses."""
    raw = request.GET.get("comments", "1")
    if not (raw.isascii() and raw.isdigit() and len(raw) < 10 and int(raw) >= 1):
        raise Http404("No such comment page.")
    order = request.GET.get("order", "")
    return CommentPageRequest(int(raw), order if order in (OLDEST, NEWEST) else default_order())


def page_query(number: int, order: str) -> str:
    """The query string of a comment page ('' for the first page in the default order)."""
    params = []
    if number > 1:
        params.append(f"comments={number}")
    if order != default_order():
        params.append(f"order={order}")
    return f"?{'&'.join(params)}" if params else ""


def visible_filter(own: list[int]) -> Q:
    visible = Q(status=Comment.Status.APPROVED)
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
    """One page of an article's comments, its replies attached (``comment.children``)."""

    number: int
    order: str
    last: int
    approved_count: int
    comments: list[Comment] = field(default_factory=list)
    pings: list[Comment] = field(default_factory=list)

    def links(self) -> list[dict]:
        """The links to the other pages: the first, the last and the neighbours."""
        shown = {1, self.last, *range(self.number - NEIGHBOURS, self.number + NEIGHBOURS + 1)}
        numbers = sorted(n for n in shown if 1 <= n <= self.last)
        return [
            {"number": n, "query": page_query(n, self.order) or "?", "current": n == self.number}
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
    """The comments of one page; 404 past the last page."""
    per_page = conf.get("COMMENTS_PER_PAGE")
    # Counted over a column the index holds (not the id), so the index alone answers.
    counts = article.comments.filter(visible_filter(own), kind=Comment.Kind.COMMENT).aggregate(
        approved=Count("article", filter=Q(status=Comment.Status.APPROVED)),
        top=Count("article", filter=Q(parent=None)),
    )
    last = max(1, -(-counts["top"] // per_page))
    if wanted.number > last:
        raise Http404("No such comment page.")
    start = (wanted.number - 1) * per_page
    ids = _ordered(_top_level(article, own), wanted.order).values("pk")[start : start + per_page]
    top = list(_ordered(Comment.objects.filter(pk__in=ids), wanted.order))
    page = CommentPage(wanted.number, wanted.order, last, counts["approved"], top)
    level = top
    for _depth in range(MAX_REPLY_LEVELS):
        for comment in level:
            comment.children = []
        if not level:
            break
        by_pk = {comment.pk: comment for comment in level}
        replies = _ordered(article.comments.filter(visible_filter(own), parent__in=by_pk), OLDEST)
        level = list(replies)
        for reply in level:
            by_pk[reply.parent_id].children.append(reply)
    if wanted.number == 1:
        pings = article.comments.filter(visible_filter(own)).pings()
        page.pings = list(_ordered(pings, OLDEST)[:per_page])
    return page


def page_of(comment: Comment, own: list[int], order: str | None = None) -> int:
    """The page (in ``order``, the default if None) that shows ``comment``: its thread's."""
    top = comment
    for _depth in range(MAX_REPLY_LEVELS + 1):
        if top.parent_id is None:
            break
        top = top.parent
    if top.kind != Comment.Kind.COMMENT:
        return 1
    order = order or default_order()
    pos = top.position or 0
    t = top.submitted_at
    if order == OLDEST:
        before = Q(submitted_at__lt=t) | Q(submitted_at=t, pos__lt=pos)
        before |= Q(submitted_at=t, pos=pos, pk__lt=top.pk)
    else:
        before = Q(submitted_at__gt=t) | Q(submitted_at=t, pos__gt=pos)
        before |= Q(submitted_at=t, pos=pos, pk__gt=top.pk)
    ahead = _top_level(top.article, own).annotate(pos=ReadingPosition()).filter(before).count()
    return ahead // conf.get("COMMENTS_PER_PAGE") + 1


def comment_url(comment: Comment, own: list[int]) -> str:
    """Where a comment is read: its article, the page of its thread, its anchor."""
    query = page_query(page_of(comment, own), default_order())
    return f"{comment.article.get_absolute_url()}{query}#comment-{comment.pk}"
