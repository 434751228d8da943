"""Hints for editors (newsroom.hints): found at each save, reported by the importer, shown
on saving in the admin and filtered by in the lists; gone once the item is fixed."""

from __future__ import annotations

import shutil

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from newsroom import hints
from newsroom.hints import first_sentence, hints_for, repeats
from newsroom.models import Article
from quickquotes.models import QuickQuote
from tests.admin_forms import change_form_data
from tests.test_import_sources import FIXTURES, QUOTE, run

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("azerbaijani president, ilham aliyev, on a fight", [hints.LOWERCASE_TITLE]),
        ("COUNCIL APPROVES NIGHT BUSES", [hints.UPPERCASE_TITLE]),
        ("Council approves night buses", []),
        ("NATO meets", []),  # too short to tell
        ("iPhone sales fall in Europe", []),
    ],
)
def test_a_title_in_one_case(make_article, title, expected):
    assert hints_for(make_article(title=title, description="")) == expected


def test_a_description_that_repeats_the_body(make_article):
    body = "## Heading\n\nThe council voted 31 to 9 on Tuesday. The buses start in March."
    assert first_sentence(body) == "The council voted 31 to 9 on Tuesday."
    repeating = make_article(description="The council voted 31 to 9 on Tuesday.", body=body)
    summarising = make_article(description="Six night routes from March.", body=body)
    assert hints_for(repeating) == [hints.DESCRIPTION_REPEATS_BODY]
    assert hints_for(summarising) == []


def test_a_description_that_repeats_the_quote(make_quote):
    quote = make_quote(
        quote="We are winning and will get our territory back.",
        description="“We are winning and will get our territory back”",
    )
    assert hints_for(quote) == [hints.DESCRIPTION_REPEATS_QUOTE]
    assert not repeats("The minister on the war.", quote.quote)


def test_the_importer_reports_the_hints_of_the_seed_quote(tmp_path):
    archive = tmp_path / "archive"
    shutil.copytree(FIXTURES, archive)
    output = run(archive)
    quote = QuickQuote.objects.get()
    assert quote.hints.split() == [hints.LOWERCASE_TITLE, hints.DESCRIPTION_REPEATS_QUOTE]
    section = output[output.index(QUOTE) :]
    assert "The title is all in lower case" in section
    assert "The description repeats the quote" in section


def test_the_list_filters_by_hint_and_a_fixed_item_leaves_it(editor_client, make_article):
    odd = make_article(title="council approves night buses at last", description="")
    make_article(title="Council approves night buses", description="")
    changelist = reverse("admin:newsroom_article_changelist")

    listed = editor_client.get(changelist, {"hint": hints.LOWERCASE_TITLE}).context["cl"]
    assert [item.pk for item in listed.result_list] == [odd.pk]
    assert [
        i.pk for i in editor_client.get(changelist, {"hint": "any"}).context["cl"].result_list
    ] == [odd.pk]

    url = reverse("admin:newsroom_article_change", args=[odd.pk])
    warned = editor_client.post(url, {**change_form_data(editor_client, url), "_continue": "1"})
    assert any("all in lower case" in str(m) for m in get_messages(warned.wsgi_request))
    fixed = {
        **change_form_data(editor_client, url),
        "title": "Council approves night buses at last",
    }
    editor_client.post(url, fixed)
    assert Article.objects.get(pk=odd.pk).hints == ""
    assert editor_client.get(changelist, {"hint": "any"}).context["cl"].result_list.count() == 0


def test_a_save_of_other_fields_keeps_the_hints_and_reads_nothing(
    make_article, django_assert_num_queries
):
    article = make_article(title="council approves night buses at last")
    article = Article.objects.only("pk", "status", "published_at", "hints").get(pk=article.pk)
    with django_assert_num_queries(1):
        article.status = Article.Status.DRAFT
        article.save(update_fields=["status"])
    assert Article.objects.get(pk=article.pk).hints.split() == [hints.LOWERCASE_TITLE]
