"""Reader pages. Which items and comments a reader may see is decided by the QuerySets."""

from __future__ import annotations

from heapq import merge
from operator import attrgetter

from django.contrib import messages
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import DetailView, TemplateView

from quickquotes.models import QuickQuote

from . import comments, conf, moderation
from .forms import CommentForm
from .models import Article, Comment

HOME_PAGE_SIZE = 20
OWN_COMMENTS_KEY = "newsroom_own_comments"


class HomeView(TemplateView):
    template_name = "newsroom/home.html"

    def get_context_data(self, **kwargs):
        articles = Article.objects.published().for_listing()[:HOME_PAGE_SIZE]
        quotes = QuickQuote.objects.published().for_listing()[:HOME_PAGE_SIZE]
        # Both lists come sorted newest first; merge them into one timeline.
        items = list(merge(articles, quotes, key=attrgetter("published_at"), reverse=True))
        return super().get_context_data(items=items[:HOME_PAGE_SIZE], **kwargs)


def _own_comment_ids(request) -> list[int]:
    return list(request.session.get(OWN_COMMENTS_KEY, []))


def comment_section(request, article: Article, form: CommentForm | None = None) -> dict:
    """What the comment section shows: approved comments (and the reader's own pending
    ones) as a tree, pingbacks apart, the policy and the form."""
    visible = Q(status=Comment.Status.APPROVED)
    own = _own_comment_ids(request)
    if own:
        visible |= Q(pk__in=own, status=Comment.Status.PENDING)
    shown = list(article.comments.filter(visible).order_by("submitted_at", "pk"))
    replies: dict[int, list[Comment]] = {}
    for comment in shown:
        comment.children = []
        if comment.parent_id:
            replies.setdefault(comment.parent_id, []).append(comment)
    top_level, pings = [], []
    for comment in shown:
        comment.children = replies.get(comment.pk, [])
        if comment.kind != Comment.Kind.COMMENT:
            pings.append(comment)
        elif comment.parent_id is None:
            top_level.append(comment)
    policy = moderation.get_policy()
    is_open = policy.comments_open(article)
    if form is None and is_open:
        reply_to = request.GET.get("reply", "")
        initial = {"parent": int(reply_to)} if reply_to.isdigit() else {}
        form = CommentForm(article=article, initial=initial)
    approved_count = sum(
        1 for c in shown if c.kind == Comment.Kind.COMMENT and c.status == Comment.Status.APPROVED
    )
    return {
        "comments": top_level,
        "comment_count": approved_count,
        "pings": pings,
        "comments_open": is_open,
        "comment_form": form,
        "discussion_policy": article.discussion_policy or conf.get("DISCUSSION_POLICY"),
        "reply_depth": conf.get("COMMENT_REPLY_DEPTH"),
    }


class ArticleDetailView(DetailView):
    context_object_name = "article"

    def get_queryset(self):
        return Article.objects.published().for_listing()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(comment_section(self.request, self.object))
        return context


def _refuse(request, article: Article, message: str, status: int):
    return render(
        request,
        "newsroom/comment_refused.html",
        {"article": article, "message": message},
        status=status,
    )


@require_POST
def post_comment(request, slug: str):
    """Take a reader's comment; answer with a redirect back to the article (PRG)."""
    article = get_object_or_404(Article.objects.published(), slug=slug)
    if not moderation.get_policy().comments_open(article):
        return _refuse(request, article, _("Comments are closed on this article."), 403)
    fingerprint = comments.client_fingerprint(request)
    if comments.over_rate_limit(fingerprint):
        return _refuse(
            request,
            article,
            _("You are posting too quickly. Wait a minute, then send your comment again."),
            429,
        )
    form = CommentForm(request.POST, article=article)
    if not form.is_valid():
        article = Article.objects.for_listing().get(pk=article.pk)
        context = {"article": article, **comment_section(request, article, form)}
        return render(request, "newsroom/article_detail.html", context, status=400)

    comment = form.save()
    comment.ip_hash = fingerprint
    if request.user.is_authenticated:
        comment.user = request.user
    submission = comments.submit(comment, site_url=request.build_absolute_uri("/"))
    stored = submission.comment
    if submission.duplicate:
        messages.info(request, _("You have already posted this comment."))
    elif submission.published:
        messages.success(request, _("Your comment has been published."))
    else:
        messages.info(request, _("Your comment is awaiting moderation."))
    own = [stored.pk, *(pk for pk in _own_comment_ids(request) if pk != stored.pk)]
    request.session[OWN_COMMENTS_KEY] = own[:50]
    return redirect(f"{article.get_absolute_url()}#comment-{stored.pk}")
