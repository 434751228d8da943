"""Commenters' email addresses: the signed, expiring links that confirm one and that stop
reply emails, and the signed cookie that tells the site this browser confirmed it.

Links carry a comment's number and a keyed hash of its address, never the address, and are
made with ``django.core.signing`` (timestamped, salted, compared in constant time).
"""

from __future__ import annotations

from django.core import signing
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.crypto import salted_hmac

from .. import conf
from ..models import Comment, ConfirmedAddress

CONFIRM_SALT = "newsroom.confirm-address"
UNSUBSCRIBE_SALT = "newsroom.unsubscribe-replies"
COOKIE_SALT = "newsroom.commenter"
COOKIE_NAME = "newsroom_commenter"

# What a link's reader is told: Django's BadSignature, and SignatureExpired (a subclass).
BadLink = signing.BadSignature
ExpiredLink = signing.SignatureExpired


def address_hash(email: str) -> str:
    """A keyed hash of an address, as kept in ``ConfirmedAddress`` and in links."""
    return salted_hmac("newsroom.address", email.strip().lower(), algorithm="sha256").hexdigest()


def confirmation_token(comment: Comment) -> str:
    return signing.dumps(
        {"c": comment.pk, "h": address_hash(comment.author_email)}, salt=CONFIRM_SALT
    )


def comment_to_confirm(token: str) -> Comment:
    """The comment a confirmation link was sent for; raises ``ExpiredLink`` past
    ``NEWSROOM_CONFIRMATION_MAX_AGE`` and ``BadLink`` for a link the site did not make or
    whose comment no longer has that address."""
    data = signing.loads(token, salt=CONFIRM_SALT, max_age=conf.get("CONFIRMATION_MAX_AGE"))
    comment = _signed_comment(data)
    if not comment.author_email or address_hash(comment.author_email) != data.get("h"):
        raise BadLink("The link's address is not the comment's.")
    return comment


def _signed_comment(data) -> Comment:
    pk = data.get("c") if isinstance(data, dict) else None
    comment = Comment.objects.select_related("article").filter(pk=pk).first()
    if not isinstance(pk, int) or comment is None:
        raise BadLink("The link names no comment.")
    return comment


def confirm(comment: Comment) -> None:
    """Record the comment's address as confirmed, the comment as its owner's, and turn
    on the reply emails its poster asked for (a confirmation is only sent on that request).
    An address whose confirmation a moderator withdrew stays withdrawn."""
    digest = address_hash(comment.author_email)
    with transaction.atomic():
        ConfirmedAddress.objects.get_or_create(address_hash=digest)
        Comment.objects.filter(pk=comment.pk).update(email_confirmed=True, notify_replies=True)
    comment.email_confirmed = comment.notify_replies = True


def unsubscribe_token(comment: Comment) -> str:
    return signing.dumps({"c": comment.pk}, salt=UNSUBSCRIBE_SALT)


def unsubscribe(token: str) -> Comment:
    """Stop the reply emails about the link's comment (again and again, harmlessly);
    raises ``ExpiredLink`` or ``BadLink``."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT, max_age=conf.get("UNSUBSCRIBE_MAX_AGE"))
    comment = _signed_comment(data)
    Comment.objects.filter(pk=comment.pk).update(notify_replies=False)
    comment.notify_replies = False
    return comment


def remember_browser(response: HttpResponse, comment: Comment, *, secure: bool) -> None:
    """Tell this browser's later comments under that address from anyone else's."""
    value = signing.dumps(address_hash(comment.author_email), salt=COOKIE_SALT)
    response.set_cookie(
        COOKIE_NAME,
        value,
        max_age=conf.get("COMMENTER_COOKIE_MAX_AGE"),
        secure=secure,
        httponly=True,
        samesite="Lax",
    )


def address_proven(request: HttpRequest, email: str) -> bool:
    """Whether this browser confirmed ``email`` (its signed cookie) and the address is
    still confirmed: typing a confirmed regular's address proves nothing."""
    cookie = request.COOKIES.get(COOKIE_NAME, "")
    if not email or not cookie:
        return False
    try:
        digest = signing.loads(
            cookie, salt=COOKIE_SALT, max_age=conf.get("COMMENTER_COOKIE_MAX_AGE")
        )
    except signing.BadSignature:
        return False
    return digest == address_hash(email) and (
        ConfirmedAddress.objects.active().filter(address_hash=digest).exists()
    )
