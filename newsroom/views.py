"""Reader pages. Which items a reader may see is decided by the QuerySets, not here."""

from __future__ import annotations

from heapq import merge
from operator import attrgetter

from django.views.generic import DetailView, TemplateView

from quickquotes.models import QuickQuote

from .models import Article, Comment

HOME_PAGE_SIZE = 20


class HomeView(TemplateView):
    template_name = "newsroom/home.html"

    def get_context_data(self, **kwargs):
        articles = Article.objects.published().for_listing()[:HOME_PAGE_SIZE]
        quotes = QuickQuote.objects.published().for_listing()[:HOME_PAGE_SIZE]
        # Both lists come sorted newest first; merge them into one timeline.
        items = list(merge(articles, quotes, key=attrgetter("published_at"), reverse=True))
        return super().get_context_data(items=items[:HOME_PAGE_SIZE], **kwargs)


class ArticleDetailView(DetailView):
    context_object_name = "article"

    def get_queryset(self):
        return Article.objects.published().for_listing()

    def get_context_data(self, **kwargs):
        approved = self.object.comments.approved().order_by("submitted_at", "pk")
        return super().get_context_data(
            comments=approved.comments(),
            pings=approved.pings(),
            Comment=Comment,
            **kwargs,
        )
