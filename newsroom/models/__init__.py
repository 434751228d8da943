"""The Newsroom data model, one module per concern: publishing, revisions, discussion, the page
cache.

Every model is imported here, so Django finds them and ``from newsroom.models import X`` works.
"""

from __future__ import annotations

from .caching import UndeliveredInvalidation
from .discussion import (
    Ban,
    BanQuerySet,
    Comment,
    CommentQuerySet,
    CommentStatusChange,
    CommentStatusChangeQuerySet,
    DeletionRefused,
    ReadingPosition,
)
from .publishing import Article, Author, Publishable, PublishableQuerySet, Section
from .revisions import Revision, RevisionQuerySet, RevisionsKept

__all__ = [
    "Article",
    "Author",
    "Ban",
    "BanQuerySet",
    "Comment",
    "CommentQuerySet",
    "CommentStatusChange",
    "CommentStatusChangeQuerySet",
    "DeletionRefused",
    "Publishable",
    "PublishableQuerySet",
    "ReadingPosition",
    "Revision",
    "RevisionQuerySet",
    "RevisionsKept",
    "Section",
    "UndeliveredInvalidation",
]
