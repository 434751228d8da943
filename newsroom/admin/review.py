"""Reporters and the editors' review, on each publishable kind's admin.

Who holds a kind's "publish" permission (Editors) publishes, schedules and approves; who
may change items without it (Reporters) sees and changes only their own drafts, never their
status or publication time, and submits them for review. Every check is made here, on the
server, whatever a page offered.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import sites
from ..models import Publishable, ReviewStep, Revision
from ..reviewing import decisions

# What only those who may publish set: a reporter's form shows them read-only.
PUBLISHING_FIELDS = ("status", "published_at")
SUBMIT = "_submit_for_review"
WITHDRAW = "_withdraw_from_review"


class ApproveForm(forms.Form):
    publish_at = forms.DateTimeField(
        label=gettext_lazy("publication time"),
        required=False,
        help_text=gettext_lazy("Empty: now. A later time schedules the item."),
    )


class SendBackForm(forms.Form):
    comment = forms.CharField(
        label=gettext_lazy("comment for the reporter"), max_length=5000, strip=True
    )


class ReviewMixin:
    """For a publishable kind's ``ModelAdmin`` (before the other mixins): ownership,
    the publish permission, submitting, and the review list with its two decisions."""

    def may_publish(self, request: HttpRequest) -> bool:
        return request.user.has_perm(f"{self.opts.app_label}.publish_{self.opts.model_name}")

    # Read by admin actions declared with permissions=["publish"].
    has_publish_permission = may_publish

    def _own_draft(self, request: HttpRequest, obj: Publishable) -> bool:
        return obj.created_by_id == request.user.pk and obj.status == Publishable.Status.DRAFT

    def get_queryset(self, request: HttpRequest) -> QuerySet[Publishable]:
        queryset = super().get_queryset(request)
        if self.may_publish(request):
            return queryset
        # Not a reporter's to see: other people's items (the list, the forms, revisions).
        if request.user.has_perm(f"{self.opts.app_label}.change_{self.opts.model_name}"):
            return queryset.filter(created_by=request.user)
        return queryset

    def has_change_permission(self, request: HttpRequest, obj: Publishable | None = None) -> bool:
        allowed = super().has_change_permission(request, obj)
        if not allowed or obj is None or self.may_publish(request):
            return allowed
        return self._own_draft(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Publishable | None = None) -> Any:
        fields = [*super().get_readonly_fields(request, obj), "review_status"]
        if not self.may_publish(request):
            fields += [name for name in PUBLISHING_FIELDS if name not in fields]
        return fields

    def save_form(self, request: HttpRequest, form: Any, change: bool) -> Publishable:
        obj = super().save_form(request, form, change)
        if not change:
            obj.created_by = request.user
        if not self.may_publish(request) and obj.status != Publishable.Status.DRAFT:
            # The fields are read-only for them; this holds should that ever change.
            raise PermissionDenied
        return obj

    def _submit_if_asked(self, request: HttpRequest, obj: Publishable) -> None:
        """After a save: submit the draft, or withdraw it, if the form's button asked."""
        if SUBMIT not in request.POST and WITHDRAW not in request.POST:
            return
        try:
            if SUBMIT in request.POST:
                decisions.submit(obj, request.user, site_url=sites.site_url(request))
                done = _("“%(item)s” is in the editors' review list.")
            else:
                decisions.withdraw(obj, request.user)
                done = _("“%(item)s” is no longer in the editors' review list.")
        except decisions.ReviewRefused as refused:
            self.message_user(request, str(refused), messages.ERROR)
            return
        self.message_user(request, done % {"item": obj})

    def response_add(self, request: HttpRequest, obj: Publishable, *args: Any) -> HttpResponse:
        self._submit_if_asked(request, obj)
        return super().response_add(request, obj, *args)

    def response_change(self, request: HttpRequest, obj: Publishable) -> HttpResponse:
        self._submit_if_asked(request, obj)
        return super().response_change(request, obj)

    @property
    def _info(self) -> str:
        return f"{self.opts.app_label}_{self.opts.model_name}"

    def review_status(self, obj: Publishable) -> str:
        """Where the item stands in review, the steps so far (the editors' comments
        included) and, on a draft out of review, the button that submits it."""
        steps = list(ReviewStep.objects.for_item(obj).select_related("user")[:20]) if obj.pk else []
        rows = format_html_join(
            "",
            "<li>{}: {} ({}){}</li>",
            (
                (
                    step.at.strftime("%Y-%m-%d %H:%M"),
                    step.get_action_display(),
                    step.user.get_username() if step.user else "—",
                    format_html(" — <q class='review-comment'>{}</q>", step.comment)
                    if step.comment
                    else "",
                )
                for step in steps
            ),
        )
        if obj.submitted_at is not None:
            state = format_html(
                '{} <button type="submit" name="{}" value="1" class="button">{}</button>',
                _("In the editors' review list."),
                WITHDRAW,
                _("Save and withdraw from review"),
            )
        elif obj.status == Publishable.Status.DRAFT:
            state = format_html(
                '<button type="submit" name="{}" value="1" class="button">{}</button>',
                SUBMIT,
                _("Save and submit for review"),
            )
        else:
            state = _("Published.")
        return format_html("<div>{}</div><ul class='review-steps'>{}</ul>", state, rows)

    review_status.short_description = gettext_lazy("review")  # type: ignore[attr-defined]

    # Review list and decisions

    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view  # staff login and CSRF
        return [
            path("review/", wrap(self.review_view), name=f"{self._info}_review"),
            path(
                "<path:object_id>/review/approve/",
                wrap(self.approve_view),
                name=f"{self._info}_review_approve",
            ),
            path(
                "<path:object_id>/review/send-back/",
                wrap(self.send_back_view),
                name=f"{self._info}_review_send_back",
            ),
            *super().get_urls(),
        ]

    def review_view(self, request: HttpRequest) -> HttpResponse:
        if not self.may_publish(request):
            raise PermissionDenied
        items = (
            self.model._default_manager.filter(
                status=Publishable.Status.DRAFT, submitted_at__isnull=False
            )
            .select_related("created_by")
            .only("pk", "title", "submitted_at", "created_by__username")
            .order_by("submitted_at", "pk")[:200]
        )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Review: %(kinds)s") % {"kinds": self.opts.verbose_name_plural},
            "subtitle": None,
            "opts": self.opts,
            "items": items,
            "approve_form": ApproveForm(),
            "send_back_form": SendBackForm(),
        }
        return TemplateResponse(request, "admin/newsroom/review/list.html", context)

    def _decided_item(self, request: HttpRequest, object_id: str) -> Publishable:
        if not self.may_publish(request):
            raise PermissionDenied
        obj = get_object_or_404(self.model._default_manager, pk=unquote(object_id))
        if obj.submitted_at is None:
            raise Http404(_("This item is not waiting for review."))
        return obj

    def approve_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        obj = self._decided_item(request, object_id)
        form = ApproveForm(request.POST)
        if not form.is_valid():
            self.message_user(request, _("That publication time is not valid."), messages.ERROR)
        else:
            decisions.approve(obj, request.user, form.cleaned_data["publish_at"])
            self.log_change(request, obj, _("Approved in review."))
            self.message_user(request, _("“%(item)s” is approved.") % {"item": obj})
        return redirect(f"admin:{self._info}_review")

    def send_back_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        obj = self._decided_item(request, object_id)
        form = SendBackForm(request.POST)
        if not form.is_valid():
            self.message_user(request, _("Say what the reporter should change."), messages.ERROR)
        else:
            decisions.send_back(obj, request.user, form.cleaned_data["comment"])
            self.log_change(request, obj, _("Sent back in review."))
            self.message_user(request, _("“%(item)s” is sent back.") % {"item": obj})
        return redirect(f"admin:{self._info}_review")

    def revert_view(self, request: HttpRequest, object_id: str, revision_id: int) -> HttpResponse:
        """A reporter may not revert to a revision that was published: that would publish."""
        if request.method == "POST" and not self.may_publish(request):
            obj = self.get_object(request, unquote(object_id))
            revision = Revision.objects.of(obj).filter(pk=revision_id).first() if obj else None
            fields = revision.snapshot.get("fields", {}) if revision else {}
            if fields.get("status", Publishable.Status.DRAFT) != Publishable.Status.DRAFT:
                raise PermissionDenied
        return super().revert_view(request, object_id, revision_id)
