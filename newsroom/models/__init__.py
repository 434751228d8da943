"""The Newsroom data model, one module per concern: publishing, corrections and updates
(notes), the front page's pins, review steps, images, revisions, discussion, the page cache.

Every model is imported here, so Django finds them and ``from newsroom.models import X`` works.
"""

from __future__ import annotations

from .caching import UndeliveredInvalidation
from .discussion import (
    Ban,
    BanQuerySet,
    Comment,
    CommentCount,
    CommentQuerySet,
    CommentStatusChange,
    CommentStatusChangeQuerySet,
    DeletionRefused,
    ReadingPosition,
)
from .frontpage import FrontPagePin, FrontPagePinQuerySet
from .images import Image, ImageQuerySet, Rendition
from .notes import ItemNote, ItemNoteQuerySet
from .publishing import Article, Author, Publishable, PublishableQuerySet, Section
from .reports import (
    CommentReport,
    CommentReportQuerySet,
    ConfirmedAddress,
    ConfirmedAddressQuerySet,
)
from .review import ReviewStep, ReviewStepQuerySet
from .revisions import Revision, RevisionQuerySet, RevisionsKept

__all__ = [
    "Article",
    "Author",
    "Ban",
    "BanQuerySet",
    "Comment",
    "CommentCount",
    "CommentQuerySet",
    "CommentReport",
    "CommentReportQuerySet",
    "CommentStatusChange",
    "CommentStatusChangeQuerySet",
    "ConfirmedAddress",
    "ConfirmedAddressQuerySet",
    "DeletionRefused",
    "FrontPagePin",
    "FrontPagePinQuerySet",
    "Image",
    "ImageQuerySet",
    "ItemNote",
    "ItemNoteQuerySet",
    "Publishable",
    "PublishableQuerySet",
    "ReadingPosition",
    "Rendition",
    "ReviewStep",
    "ReviewStepQuerySet",
    "Revision",
    "RevisionQuerySet",
    "RevisionsKept",
    "Section",
    "UndeliveredInvalidation",
]
