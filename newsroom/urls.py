from django.urls import path

from . import feeds, views
from .pagecache import cache_public_page
from .sitemaps import news_sitemap, site_sitemaps, sitemap_index, sitemap_part

app_name = "newsroom"

cached = cache_public_page(expires=views.next_visibility_change)

urlpatterns = [
    path("", views.home, name="home"),
    path("articles/<slug:slug>/", views.article_detail, name="article_detail"),
    path("articles/<slug:slug>/comments/", views.post_comment, name="post_comment"),
    path(
        "articles/<slug:slug>/comments/<int:pk>/",
        views.comment_permalink,
        name="comment_permalink",
    ),
    path(
        "articles/<slug:slug>/comments/<int:pk>/report/",
        views.report_comment,
        name="report_comment",
    ),
    path("comments/confirm/<str:token>/", views.confirm_address, name="confirm_address"),
    path("comments/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("sections/<slug:slug>/", views.section_page, name="section"),
    path("tags/<slug:slug>/", views.tag_page, name="tag"),
    path("authors/<slug:slug>/", views.author_page, name="author"),
    path("archive/", views.archive_index, name="archive_index"),
    path("archive/<int:year>/<int:month>/", views.archive_page, name="archive"),
    path("search/", views.search_page, name="search"),
    path("feeds/rss/", cached(feeds.LatestFeed()), name="feed_rss"),
    path("feeds/atom/", cached(feeds.LatestAtomFeed()), name="feed_atom"),
    path("feeds/sections/<slug:slug>/rss/", cached(feeds.SectionFeed()), name="feed_section_rss"),
    path(
        "feeds/sections/<slug:slug>/atom/",
        cached(feeds.SectionAtomFeed()),
        name="feed_section_atom",
    ),
    path("feeds/tags/<slug:slug>/rss/", cached(feeds.TagFeed()), name="feed_tag_rss"),
    path("feeds/tags/<slug:slug>/atom/", cached(feeds.TagAtomFeed()), name="feed_tag_atom"),
    path("feeds/authors/<slug:slug>/rss/", cached(feeds.AuthorFeed()), name="feed_author_rss"),
    path(
        "feeds/authors/<slug:slug>/atom/", cached(feeds.AuthorAtomFeed()), name="feed_author_atom"
    ),
    path("robots.txt", views.robots_txt, name="robots"),
]

# The sitemaps live outside the app namespace: django.contrib.sitemaps looks them up by
# name. /sitemap.xml is the index; each section's parts are /sitemap-<section>.xml?p=N.
_sitemaps = {"sitemaps": site_sitemaps()}
sitemap_urlpatterns = [
    path(
        "sitemap.xml",
        cached(sitemap_index),
        {**_sitemaps, "sitemap_url_name": "sitemap_section"},
        name="sitemap",
    ),
    path("sitemap-news.xml", cached(news_sitemap), name="sitemap_news"),
    path(
        "sitemap-<slug:section>.xml",
        cache_public_page(expires=views.next_visibility_change, query=("p",))(sitemap_part),
        _sitemaps,
        name="sitemap_section",
    ),
]
