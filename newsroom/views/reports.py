"""A reader reports a comment: a page of its own with a small form (no JavaScript), so the
cached comment list carries nothing per visitor, only a link here."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods

from .. import sites
from ..discussion import posting
from ..discussion.forms import ReportForm
from ..discussion.reports import report_comment
from ..models import Article, Comment
from .comment_pages import comment_url
from .items import answers_gone, not_shown

REPORTED_KEY = "newsroom_reported"


def _page(
    request: HttpRequest, comment: Comment, form: ReportForm, status: int = 200, refusal: str = ""
) -> HttpResponse:
    context = {"comment": comment, "form": form, "refusal": refusal}
    response = render(request, "newsroom/report_comment.html", context, status=status)
    patch_cache_control(response, private=True)
    return response


@require_http_methods(["GET", "POST"])
@csrf_protect
@answers_gone
def report(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The report form for an approved comment (GET), and the report sent (POST): back to
    the comment with a thank-you, or the form again with its errors."""
    article = Article.objects.published().filter(slug=slug).first()
    if article is None:
        raise not_shown(Article, slug)
    comment = (
        Comment.objects.comments()
        .filter(article=article, pk=pk, status=Comment.Status.APPROVED, redacted_at=None)
        .first()
    )
    if comment is None:
        raise Http404(_("There is no such comment to report."))
    comment.article = article
    if request.method == "GET":
        return _page(request, comment, ReportForm())
    fingerprint = posting.client_fingerprint(request)
    if posting.over_rate_limit(fingerprint, limit_setting="REPORT_RATE_LIMIT"):
        refusal = _("You are sending reports too quickly. Wait a minute, then send it again.")
        return _page(request, comment, ReportForm(), status=429, refusal=refusal)
    form = ReportForm(request.POST)
    if not form.is_valid():
        return _page(request, comment, form, status=400)
    if not fingerprint:
        # One report per client needs a client to go by (a cleared cookie is a new one).
        refusal = _("A report cannot be taken from this connection.")
        return _page(request, comment, ReportForm(), status=400, refusal=refusal)
    reported = list(request.session.get(REPORTED_KEY, []))
    if comment.pk in reported:
        outcome = None
    else:
        outcome = report_comment(
            comment,
            client=fingerprint,
            reason=form.cleaned_data["reason"],
            text=form.cleaned_data["text"],
            site_url=sites.site_url(request),
        )
    if outcome is None or outcome.duplicate:
        messages.info(request, _("You have already reported this comment."))
    else:
        messages.success(request, _("Thank you: a moderator will look at this comment."))
        request.session[REPORTED_KEY] = [comment.pk, *reported][:200]
    if comment.status not in Comment.shown_statuses():
        return redirect(f"{article.get_absolute_url()}#comments")
    return redirect(comment_url(comment, []))
