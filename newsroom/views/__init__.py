"""Reader views, by audience: listings (and the site's error page), article pages, and
comment posting. The URLconfs, and projects' ``handler500``, name them here.
"""

from __future__ import annotations

from .articles import article_detail, render_article
from .commenters import confirm_address, unsubscribe
from .comments import comment_permalink, post_comment
from .listings import (
    archive_index,
    archive_page,
    author_page,
    home,
    next_visibility_change,
    robots_txt,
    search_page,
    section_page,
    server_error,
    tag_page,
)
from .reports import report as report_comment

__all__ = [
    "archive_index",
    "archive_page",
    "article_detail",
    "author_page",
    "comment_permalink",
    "confirm_address",
    "home",
    "next_visibility_change",
    "post_comment",
    "render_article",
    "report_comment",
    "robots_txt",
    "search_page",
    "section_page",
    "server_error",
    "tag_page",
    "unsubscribe",
]
