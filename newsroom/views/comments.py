"""Comment posting: a reader's comment taken, checked and stored, behind a limit on the
request's size; the answer is a redirect back to the article.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from .. import conf, sites
from ..discussion import confirmation, posting
from ..discussion.forms import CommentForm
from ..discussion.policy import get_policy
from ..models import Article, Comment
from .articles import OWN_COMMENTS_KEY, own_comment_ids, render_article
from .comment_pages import comment_url, visible_filter
from .items import answers_gone, not_shown


def _refuse(request: HttpRequest, article: Article, message: str, status: int) -> HttpResponse:
    return render(
        request,
        "newsroom/comment_refused.html",
        {"article": article, "message": message},
        status=status,
    )


def limit_request_size(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Refuse a request larger than ``NEWSROOM_COMMENT_MAX_REQUEST_BYTES`` (413) before
    anything reads its body, and keep no uploaded file: a comment has none.

    CSRF is checked inside it (``csrf_protect``), since Django's CSRF middleware reads
    the whole form, uploads included, before any view runs.
    """

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
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
@answers_gone
def post_comment(request: HttpRequest, slug: str) -> HttpResponse:
    """Take a reader's comment; answer with a redirect back to the article (PRG), or 410
    once the article has expired."""
    article = Article.objects.published().filter(slug=slug).first()
    if article is None:
        raise not_shown(Article, slug)
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
    comment.email_confirmed = confirmation.address_proven(request, comment.author_email)
    if request.user.is_authenticated:
        comment.user = request.user
    submission = posting.submit(
        comment,
        site_url=sites.site_url(request),
        form_token=form.cleaned_data["token"],
        wants_replies=form.cleaned_data["wants_replies"],
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
    if submission.confirmation_sent:
        messages.info(
            request,
            _("We have emailed you a link to confirm your address: replies are sent after that."),
        )
    own = [stored.pk, *(pk for pk in own_comment_ids(request) if pk != stored.pk)]
    request.session[OWN_COMMENTS_KEY] = own[:50]
    if stored.status not in (Comment.Status.APPROVED, Comment.Status.PENDING):
        # Held as spam (or refused): shown to nobody, its poster included. Back to the
        # article's comments, which are there, rather than to an anchor that is not.
        return redirect(f"{article.get_absolute_url()}#comments")
    # The page where the comment appears (to its poster, while it awaits moderation).
    return redirect(comment_url(stored, own[:50]))


@answers_gone
def comment_permalink(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A comment's lasting address: a redirect to its thread's page and its anchor, since
    which page that is changes as comments are approved. Gone (410) with its article."""
    own = own_comment_ids(request)
    comments = Comment.objects.filter(visible_filter(own), article__slug=slug, pk=pk)
    comment = (
        comments.filter(article__in=Article.objects.published()).select_related("article").first()
    )
    if comment is None:
        raise not_shown(Article, slug)
    return redirect(comment_url(comment, own))
