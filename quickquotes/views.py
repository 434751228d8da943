from django.views.generic import DetailView

from .models import QuickQuote


class QuickQuoteDetailView(DetailView):
    context_object_name = "quote"

    def get_queryset(self):
        return QuickQuote.objects.published().for_listing()
