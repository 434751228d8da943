"""The reader's comment form, with its defences against robots and replays: a honeypot,
length limits and a signed form token, handed out per form and taken once when posted."""

from __future__ import annotations

import functools
import os
import time

from django import forms
from django.conf import settings
from django.core import signing
from django.core.validators import MaxLengthValidator
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _

from .. import conf
from ..models import Article, Comment
from ..models.reports import report_reasons

TOKEN_SALT = "newsroom.comment-form"  # noqa: S105 (a namespace, not a secret)


def form_token(article: Article | int, now: float | None = None) -> str:
    """A signed note of which article the form is for and when it was handed out, with a
    random number of its own: each form handed out is another token, and each token is
    taken once (``posting.claim_form_token``)."""
    article_id = getattr(article, "pk", article)
    signed = _signed(article_id, int(now or time.time()), settings.SECRET_KEY)
    nonce = os.urandom(8).hex()
    return f"{signed}~{nonce}~{_nonce_mac(signed, nonce)}"


@functools.lru_cache(maxsize=256)
def _signed(article_id: int, second: int, key: str) -> str:
    # The note only changes once a second: every form handed out within one second for
    # one article carries the same signed note, signed once; only the nonce is new.
    return signing.dumps({"a": article_id, "t": second}, key=key, salt=TOKEN_SALT)


def _nonce_mac(signed: str, nonce: str, secret: str | None = None) -> str:
    # Only the site can add a nonce to a note: without it, one note would make any
    # number of tokens.
    message = f"{signed}~{nonce}"
    return salted_hmac(TOKEN_SALT, message, secret, algorithm="sha256").hexdigest()[:32]


# The kind of the page cache's placeholder for a form token: "form-42" for article 42.
FORM_PLACEHOLDER = "form"


def placeholder_token(request: HttpRequest, article_id: int | None) -> str:
    """A form token for the page cache to fill a cached page's placeholder with."""
    return form_token(article_id)


def read_form_token(token: str) -> dict:
    """What a form token says (``{"a": article id, "t": second}``); raises
    ``signing.BadSignature`` for a token the site did not make (with its current key or one
    of ``SECRET_KEY_FALLBACKS``, as Django's signing does)."""
    signed, _, rest = token.partition("~")
    nonce, _, mac = rest.partition("~")
    secrets = [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    if not nonce or not any(
        constant_time_compare(mac, _nonce_mac(signed, nonce, secret)) for secret in secrets
    ):
        raise signing.BadSignature("The form token's nonce does not match.")
    return signing.loads(signed, salt=TOKEN_SALT)


class CommentForm(forms.ModelForm):
    # A field people never see or fill in; robots fill in everything.
    honeypot = forms.CharField(
        label=_("Leave this field empty"), required=False, widget=forms.TextInput
    )
    token = forms.CharField(widget=forms.HiddenInput)
    parent = forms.IntegerField(widget=forms.HiddenInput, required=False)
    author_url = forms.URLField(
        label=_("Website"), required=False, max_length=500, assume_scheme="https"
    )
    wants_replies = forms.BooleanField(
        label=_("Email me when someone replies"),
        required=False,
        help_text=_(
            "To a confirmed address only: the first time, we email you a link to confirm it. "
            "Each email has a link to stop them."
        ),
    )

    class Meta:
        model = Comment
        fields = ["author_name", "author_email", "author_url", "body"]
        labels = {"author_name": _("Name"), "body": _("Comment")}
        widgets = {
            "body": forms.Textarea(attrs={"rows": 6}),
        }

    def __init__(self, *args, article: Article, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.article = article
        self.fields["author_email"].required = conf.get("COMMENTS_REQUIRE_EMAIL")
        self.fields["author_email"].help_text = _("Never shown on the site.")
        max_length = conf.get("COMMENT_MAX_LENGTH")
        self.fields["body"].validators.append(MaxLengthValidator(max_length))
        self.fields["body"].widget.attrs["maxlength"] = max_length
        self.fields["honeypot"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})
        self.fields["author_name"].widget.attrs["autocomplete"] = "name"
        self.fields["author_email"].widget.attrs["autocomplete"] = "email"
        self.fields["author_url"].widget.attrs["autocomplete"] = "url"
        if not self.is_bound:  # unless the caller gives one, such as a page cache mark
            self.initial.setdefault("token", form_token(article))

    def clean_honeypot(self) -> str:
        value = self.cleaned_data["honeypot"]
        if value:
            raise forms.ValidationError(_("This field must be left empty."), code="honeypot")
        return value

    def clean_token(self) -> str:
        token = self.cleaned_data["token"]
        try:
            data = read_form_token(token)
            article_id, handed_out = int(data["a"]), float(data["t"])
        except (signing.BadSignature, KeyError, TypeError, ValueError):
            raise forms.ValidationError(
                _("This form was damaged. Reload the page and try again."), code="bad_token"
            ) from None
        if article_id != self.article.pk:
            raise forms.ValidationError(
                _("This form belongs to another article. Reload the page."), code="bad_token"
            )
        age = time.time() - handed_out
        if age > conf.get("COMMENT_MAX_AGE"):
            raise forms.ValidationError(
                _("This form has expired. Copy your comment, reload the page and send it again."),
                code="expired",
            )
        if age < conf.get("COMMENT_MIN_SECONDS"):
            raise forms.ValidationError(
                _("That was quicker than anyone can type. Wait a few seconds and send it again."),
                code="too_fast",
            )
        return token

    def clean_author_name(self) -> str:
        # One line of printable text: names end up in listings and email subjects.
        name = self.cleaned_data["author_name"]
        name = " ".join("".join(ch if ch.isprintable() else " " for ch in name).split())
        if not name:
            raise forms.ValidationError(_("Please give a name."), code="required")
        return name

    def clean_body(self) -> str:
        body = self.cleaned_data["body"].strip()
        # Control characters have no place in a comment and can hide text.
        body = "".join(ch for ch in body if ch in "\n\t" or ch.isprintable())
        if not body:
            raise forms.ValidationError(_("Please write a comment."), code="required")
        return body

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("wants_replies") and not cleaned.get("author_email"):
            self.add_error(
                "author_email",
                forms.ValidationError(
                    _("Give your email address to be told about replies."), code="email_needed"
                ),
            )
        return cleaned

    def clean_parent(self) -> Comment | None:
        parent_id = self.cleaned_data.get("parent")
        if not parent_id:
            return None
        parent = (
            Comment.objects.approved()
            .filter(pk=parent_id, article=self.article)
            .select_related("parent__parent__parent")
            .first()
        )
        if parent is None:
            raise forms.ValidationError(
                _("The comment you are replying to is not on this page."), code="bad_parent"
            )
        depth, ancestor = 1, parent.parent
        while ancestor is not None:
            depth, ancestor = depth + 1, ancestor.parent
        if depth > conf.get("COMMENT_REPLY_DEPTH"):
            raise forms.ValidationError(
                _("Replies cannot nest that deep; reply to the comment above it."),
                code="too_deep",
            )
        return parent

    def save(self, commit: bool = True) -> Comment:
        """The comment on the form's article (and the comment it replies to), saved unless
        ``commit`` is False, as ``ModelForm.save`` does."""
        comment = super().save(commit=False)
        comment.article = self.article
        comment.parent = self.cleaned_data.get("parent")
        if commit:
            comment.save()
            self._save_m2m()
        return comment


class ReportForm(forms.Form):
    """A reader's report on a comment: a reason from the discussion policy, and a note."""

    reason = forms.ChoiceField(
        label=_("Why should a moderator look at it?"), widget=forms.RadioSelect
    )
    text = forms.CharField(
        label=_("Anything to add (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = report_reasons()

    def clean_text(self) -> str:
        text = self.cleaned_data["text"].strip()
        return "".join(ch for ch in text if ch in "\n\t" or ch.isprintable())
