"""The moderator's desk on the comment admin: a decision on one comment from its card in the
queue (a POST that works without JavaScript and answers JSON to the queue's script), each
commenter's record, and a commenter's history with their bans.

Every decision goes through ``discussion.decisions``, which logs it with its reason. Only
those who may moderate comments reach these views; the checks are made here, on the server.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Case, Exists, OuterRef, Q, QuerySet, Subquery, When
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    JsonResponse,
)
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import conf
from ..discussion import decisions
from ..models import Ban, Comment
from . import counting
from .counting import BoundedCount, BoundedPaginator

Status = Comment.Status
DECIDED = {
    Status.APPROVED: gettext_lazy("approved"),
    Status.REJECTED: gettext_lazy("rejected"),
    Status.SPAM: gettext_lazy("marked as spam"),
}
# The longest free-text reason a moderator may add.
NOTE_CHARS = 500


def reason_choices() -> list[tuple[str, str]]:
    """The reasons offered for a rejection or spam: the setting's, by their own words."""
    return [("", _("No reason given")), *((r, r) for r in conf.get("MODERATION_REASONS"))]


class DecisionForm(forms.Form):
    """A decision on one comment: its new status, and for a refusal a reason from the
    policy's list and/or free text."""

    status = forms.ChoiceField(choices=list(DECIDED.items()))
    reason = forms.ChoiceField(required=False)
    note = forms.CharField(required=False, max_length=NOTE_CHARS, strip=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = reason_choices()

    def reason_text(self) -> str:
        """What the log keeps as the decision's reason."""
        if self.cleaned_data["status"] == Status.APPROVED:
            return self.cleaned_data["note"]
        parts = [self.cleaned_data["reason"], self.cleaned_data["note"]]
        return ": ".join(part for part in parts if part)


class QueueActionForm(admin.helpers.ActionForm):
    """The bulk actions' form, with the same reasons for a rejection or spam."""

    reason = forms.ChoiceField(label=gettext_lazy("Reason"), required=False)
    note = forms.CharField(
        label=gettext_lazy("Other reason"), required=False, max_length=NOTE_CHARS, strip=True
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = reason_choices()


def action_reason(request: HttpRequest) -> str:
    """The reason the bulk action's form carries (unknown reasons are dropped)."""
    form = QueueActionForm(request.POST)
    form.fields["action"].choices = [(request.POST.get("action", ""), "")]
    if not form.is_valid():
        return ""
    parts = [form.cleaned_data["reason"], form.cleaned_data["note"]]
    return ": ".join(part for part in parts if part)


@dataclass
class Record:
    """A commenter's comments by status (each count stops past the admin's threshold,
    shown as "N+"), and whether a ban is in force on their email address or client."""

    by: str  # "email" or "client": whose comments are counted
    approved: int
    rejected: int
    spam: int
    banned: bool


RECORD_STATUSES = (Status.APPROVED, Status.REJECTED, Status.SPAM)


def _theirs(column: str, status: str) -> BoundedCount:
    rows = Comment.objects.filter(**{column: OuterRef(column), "status": status})
    return BoundedCount(Subquery(rows.order_by().values("pk")[: counting.threshold() + 1]))


def with_records(comments: QuerySet[Comment]) -> QuerySet[Comment]:
    """The comments, each with its commenter's record (see ``record``): by email address
    where the comment has one, else by client. Subqueries per row, each over the
    commenter's own index range (``comment_author_idx``, ``comment_client_idx``) and
    stopping at the threshold: the query is the list's own, however many rows it shows."""
    bans = Ban.objects.active().filter(
        Q(kind=Ban.Kind.EMAIL, value__iexact=OuterRef("author_email"))
        | Q(kind=Ban.Kind.IP_HASH, value=OuterRef("ip_hash"))
    )
    counts = {
        f"record_{status}": Case(
            When(author_email="", then=_theirs("ip_hash", status)),
            default=_theirs("author_email", status),
        )
        for status in RECORD_STATUSES
    }
    return comments.annotate(**counts, record_banned=Exists(bans))


def record(comment: Comment) -> Record | None:
    """The record of a comment read through ``with_records``; None for a comment with
    neither an email address nor a client to go by (an imported one)."""
    if not (comment.author_email or comment.ip_hash):
        return None
    return Record(
        by="email" if comment.author_email else "client",
        approved=counting.at_most(comment.record_approved),
        rejected=counting.at_most(comment.record_rejected),
        spam=counting.at_most(comment.record_spam),
        banned=comment.record_banned,
    )


class ModeratorsDeskMixin:
    """For the comment admin: ``…/<id>/decide/`` (POST), ``…/<id>/commenter/`` (the
    history of the comment's commenter) and ``…/<id>/commenter/ban/`` (POST: ban or lift)."""

    commenter_per_page = 50

    def get_urls(self) -> list[URLPattern]:
        info = f"{self.opts.app_label}_{self.opts.model_name}"
        wrap = self.admin_site.admin_view  # staff login and CSRF
        return [
            path("<path:object_id>/decide/", wrap(self.decide_view), name=f"{info}_decide"),
            path(
                "<path:object_id>/commenter/",
                wrap(self.commenter_view),
                name=f"{info}_commenter",
            ),
            path(
                "<path:object_id>/commenter/ban/",
                wrap(self.commenter_ban_view),
                name=f"{info}_commenter_ban",
            ),
            *super().get_urls(),
        ]

    def _comment(self, request: HttpRequest, object_id: str) -> Comment:
        if not self.has_moderate_permission(request):
            raise PermissionDenied
        comment = self.get_object(request, unquote(object_id))
        if comment is None:
            raise Http404(_("There is no such comment."))
        return comment

    def _back(self, request: HttpRequest, fallback: str) -> HttpResponse:
        """To the page the form was on (the queue with its filters), if it is ours."""
        target = request.POST.get("next", "")
        safe = url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        return redirect(target if safe and target.startswith("/") else fallback)

    def decide_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        comment = self._comment(request, object_id)
        wants_json = request.headers.get("Accept", "").startswith("application/json")
        form = DecisionForm(request.POST)
        if not form.is_valid():
            problem = _("That decision was not understood: %(errors)s") % {
                "errors": "; ".join(
                    f"{name}: {message}"
                    for name, errors in form.errors.items()
                    for message in errors
                )
            }
            if wants_json:
                return JsonResponse({"error": problem}, status=400)
            self.message_user(request, problem, messages.ERROR)
            return self._back(request, reverse("admin:newsroom_comment_changelist"))
        status = form.cleaned_data["status"]
        changed = decisions.decide([comment], status, actor=request.user, reason=form.reason_text())
        if changed:
            done = _("The comment by %(name)s is %(decision)s.") % {
                "name": comment.author_name or _("an anonymous reader"),
                "decision": DECIDED[status],
            }
        else:
            done = _("The comment by %(name)s was %(decision)s already.") % {
                "name": comment.author_name or _("an anonymous reader"),
                "decision": DECIDED[status],
            }
        if wants_json:
            return JsonResponse({"status": status, "message": done})
        self.message_user(request, done, messages.SUCCESS)
        return self._back(request, reverse("admin:newsroom_comment_changelist"))

    def _identities(self, comment: Comment) -> Q:
        match = Q(pk__in=[])
        if comment.author_email:
            match |= Q(author_email=comment.author_email)
        if comment.ip_hash:
            match |= Q(ip_hash=comment.ip_hash)
        return match

    def commenter_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Every comment by the same email address or from the same client, newest first,
        with their statuses, and the bans in force on either."""
        comment = self._comment(request, object_id)
        theirs = (
            Comment.objects.filter(self._identities(comment))
            .select_related("article")
            .only(
                "pk",
                "status",
                "kind",
                "submitted_at",
                "time_known",
                "author_name",
                "author_email",
                "ip_hash",
                "body",
                "redacted_at",
                "redacted_reason",
                "article__title",
                "article__slug",
            )
            .order_by("-submitted_at", "-pk")
        )
        page = BoundedPaginator(theirs, self.commenter_per_page).get_page(request.GET.get("p"))
        their_record = record(with_records(Comment.objects.filter(pk=comment.pk)).get())
        matching = Ban.objects.matching(email=comment.author_email, ip_hash=comment.ip_hash)
        bans = list(matching.select_related("created_by"))
        banned = {ban.kind for ban in bans}
        context = {
            **self.admin_site.each_context(request),
            "title": _("Comments by %(name)s") % {"name": comment.author_name or _("anonymous")},
            "subtitle": None,
            "opts": self.opts,
            "comment": comment,
            "page": page,
            "record": their_record,
            "bans": bans,
            "may_ban": request.user.has_perm("newsroom.add_ban")
            and request.user.has_perm("newsroom.change_ban"),
            "ban_targets": [
                (kind, label, kind in banned)
                for kind, label, value in (
                    (Ban.Kind.EMAIL, _("this email address"), comment.author_email),
                    (Ban.Kind.IP_HASH, _("this client"), comment.ip_hash),
                )
                if value
            ],
            "statuses": Status.choices,
        }
        return TemplateResponse(request, "admin/newsroom/comment/commenter.html", context)

    def commenter_ban_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Ban the commenter's email address or client (``kind``), or lift that ban
        (``lift``); a reason is kept with a ban."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        comment = self._comment(request, object_id)
        kind = request.POST.get("kind", "")
        value = {Ban.Kind.EMAIL: comment.author_email, Ban.Kind.IP_HASH: comment.ip_hash}.get(
            kind, ""
        )
        back = reverse("admin:newsroom_comment_commenter", args=[comment.pk])
        # As the ban list asks: adding a ban, or changing one to lift it.
        needed = "change_ban" if request.POST.get("lift") else "add_ban"
        if not request.user.has_perm(f"newsroom.{needed}"):
            raise PermissionDenied
        if not value:
            self.message_user(
                request, _("This commenter has nothing to ban by that."), messages.ERROR
            )
            return redirect(back)
        if request.POST.get("lift"):
            lifted = 0
            for the_ban in Ban.objects.active().filter(kind=kind, value__iexact=value):
                decisions.lift_ban(the_ban)
                lifted += 1
            self.message_user(
                request, _("The ban is lifted.") if lifted else _("No ban was in force.")
            )
            return redirect(back)
        reason = request.POST.get("reason", "").strip()[:NOTE_CHARS]
        _ban, held = decisions.ban(kind, value, actor=request.user, reason=reason)
        self.message_user(
            request,
            _("Banned; %(held)d pending comments flagged.") % {"held": held},
            messages.SUCCESS,
        )
        return redirect(back)
