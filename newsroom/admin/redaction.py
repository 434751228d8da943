"""The comment admin's redact page: a moderator gives a reason, and readers see it instead.

The text is removed through ``decisions.redact()``, which keeps the original in the log.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from ..discussion import decisions

if TYPE_CHECKING:
    from django.urls import URLPattern

    from ..models import Comment


class RedactionForm(forms.Form):
    """The one thing a moderator writes when redacting: the reason readers are shown."""

    reason = forms.CharField(
        label=_("Reason shown to readers"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Readers see “This comment was removed by a moderator:” and this reason instead "
            "of the text. The original text stays in the comment's history."
        ),
        error_messages={"required": _("Give the reason for removing the comment.")},
    )


class RedactionMixin:
    """Adds the redact page to a comment ``ModelAdmin`` that has ``has_moderate_permission``."""

    def has_redact_permission(self, request: HttpRequest, obj: Comment | None = None) -> bool:
        return self.has_change_permission(request, obj) and self.has_moderate_permission(request)

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Comment | None = None,
    ) -> HttpResponse:
        context["may_redact"] = (
            obj is not None and not obj.is_redacted and self.has_redact_permission(request, obj)
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_urls(self) -> list[URLPattern]:
        name = f"{self.opts.app_label}_{self.opts.model_name}_redact"
        redact = path(
            "<path:object_id>/redact/", self.admin_site.admin_view(self.redact_view), name=name
        )
        return [redact, *super().get_urls()]

    def redact_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Ask for the reason, then redact the comment through the decision function.

        ``admin_view`` has checked staff login and CSRF; the permission is checked here,
        on the server, whatever the change page offered.
        """
        comment = self.get_object(request, unquote(object_id))
        if comment is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_redact_permission(request, comment):
            raise PermissionDenied
        change_url = reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[comment.pk]
        )
        if comment.is_redacted:
            self.message_user(request, _("This comment has been redacted already."))
            return redirect(change_url)
        form = RedactionForm(request.POST if request.method == "POST" else None)
        if form.is_valid():
            reason = form.cleaned_data["reason"]
            try:
                redacted = decisions.redact(comment, reason=reason, actor=request.user)
            except ValidationError as error:
                form.add_error("reason", error)
            else:
                # False: another moderator redacted it since this page was opened.
                done = _("The comment's text is removed; readers see the reason instead.")
                self.message_user(
                    request,
                    done if redacted else _("This comment has been redacted already."),
                    messages.SUCCESS if redacted else messages.INFO,
                )
                return redirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Redact this comment"),
            "subtitle": None,
            "opts": self.opts,
            "original": comment,
            "form": form,
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/newsroom/comment/redact.html", context)
