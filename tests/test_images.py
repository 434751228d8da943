"""The image library: uploads in the admin, renditions, pages, body references, alt text."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PillowImage

from newsroom.images import library, renditions
from newsroom.models import Article, Image, Rendition
from newsroom.rendering import MarkdownRefused, render_markdown
from tests import image_files as files
from tests.admin_forms import change_form_data


@pytest.fixture
def stored(db):
    """A 2000×1000 JPEG in the library."""
    image, _new = library.add(files.picture(2000, 1000), alt_text="Delegates at a table")
    return image


def _pixel(rendition: Rendition, x: float, y: float) -> tuple[int, ...]:
    with rendition.file.open("rb") as f:
        image = files.opened(f.read()).convert("RGB")
    return image.getpixel((int(x * (image.width - 1)), int(y * (image.height - 1))))


# --- the library ---------------------------------------------------------------------


def test_an_added_image_is_stored_under_a_generated_name_with_its_size(stored):
    assert re.fullmatch(r"images/[0-9a-f]{2}/[0-9a-f]{32}\.jpg", stored.file.name)
    assert (stored.width, stored.height) == (2000, 1000)
    assert len(stored.content_hash) == 64
    assert stored.url.startswith("/media/images/")


def test_the_same_bytes_are_stored_once(stored):
    again, new = library.add(files.picture(2000, 1000))
    assert (again.pk, new) == (stored.pk, False)
    assert Image.objects.count() == 1


# --- renditions ----------------------------------------------------------------------


def test_renditions_are_three_widths_in_webp_and_jpeg_and_a_social_card(stored):
    found = {r.spec: r for r in stored.renditions.all()}
    assert sorted(found) == sorted(
        [
            *(f"w{w}.{ext}" for w in (480, 960, 1600) for ext in ("webp", "jpg")),
            "card.jpg",
        ]
    )
    for rendition in found.values():
        with rendition.file.open("rb") as f:
            image = files.opened(f.read())
        assert image.size == (rendition.width, rendition.height)
        assert image.format == rendition.format
        assert rendition.file.name.endswith(".webp" if rendition.format == "WEBP" else ".jpg")
    assert (found["w960.webp"].width, found["w960.webp"].height) == (960, 480)
    assert (found["card.jpg"].width, found["card.jpg"].height) == (1200, 630)


def test_a_small_image_is_never_made_larger(db):
    image, _new = library.add(files.picture(700, 350, "PNG"))
    widths = sorted({r.width for r in image.renditions.exclude(spec="card.jpg")})
    assert widths == [480, 700]


def test_the_card_is_cropped_around_the_focal_point(db):
    tall = files.halves(1000, 2000, "red", "blue", vertical=True)
    image, _new = library.add(tall)
    image.focal_y = 0.0
    renditions.remake(image)
    card = image.renditions.get(spec="card.jpg")
    assert _pixel(card, 0.5, 0.5)[0] > 200  # the top: red
    image.focal_y = 1.0
    renditions.remake(image)
    card = image.renditions.get(spec="card.jpg")
    assert _pixel(card, 0.5, 0.5)[2] > 200  # the bottom: blue


def test_renditions_are_made_once_and_then_only_read(stored, django_assert_num_queries):
    with django_assert_num_queries(1):
        found = renditions.ensure(stored)
    assert len(found) == 7
    Rendition.objects.filter(image=stored, spec="w480.webp").delete()
    renditions.ensure(stored)
    assert stored.renditions.count() == 7


# --- pages ---------------------------------------------------------------------------


def test_the_article_page_has_a_picture_with_srcset_sizes_width_and_height(
    client, make_article, stored
):
    article = make_article(featured_image=stored)
    html = client.get(article.get_absolute_url()).content.decode()
    picture = re.search(r"<figure class=\"lead-image\">\s*(<picture>.*?</picture>)", html, re.S)
    assert picture, html
    markup = picture.group(1)
    webp = re.search(r'<source type="image/webp" srcset="([^"]+)" sizes="([^"]+)">', markup)
    assert webp and [c.split()[1] for c in webp.group(1).split(", ")] == ["480w", "960w", "1600w"]
    img = re.search(r"<img [^>]+>", markup).group(0)
    assert 'width="1600" height="800"' in img
    assert 'alt="Delegates at a table"' in img
    assert re.search(r'srcset="[^"]+\.jpg 480w, [^"]+\.jpg 960w, [^"]+\.jpg 1600w"', img)
    assert 'sizes="' in img
    assert "loading=" not in img  # the lead image loads at once


def test_social_cards_and_json_ld_use_the_1200_by_630_rendition(client, make_article, stored):
    article = make_article(featured_image=stored)
    html = client.get(article.get_absolute_url()).content.decode()
    card = stored.renditions.get(spec="card.jpg").url
    assert f'<meta property="og:image" content="http://testserver{card}">' in html
    assert '<meta property="og:image:width" content="1200">' in html
    assert '<meta property="og:image:height" content="630">' in html
    assert f'<meta name="twitter:image" content="http://testserver{card}">' in html
    assert f'"image": ["http://testserver{card}"]' in html


def test_an_image_still_to_be_fetched_shows_from_its_source_url(client, make_quote):
    image = Image.objects.create(
        source_url="https://old.example/a.jpg", fetch_status=Image.FetchStatus.PENDING
    )
    quote = make_quote(featured_image=image)
    html = client.get(quote.get_absolute_url()).content.decode()
    assert '<img src="https://old.example/a.jpg" alt="">' in html


def test_the_item_page_renders_no_rendition_per_request(
    client, make_article, stored, django_assert_num_queries
):
    article = make_article(featured_image=stored)
    client.get(article.get_absolute_url())
    before = set(Rendition.objects.values_list("pk", "file"))
    client.get(article.get_absolute_url())
    assert set(Rendition.objects.values_list("pk", "file")) == before


def test_every_img_on_the_page_has_alt(client, make_article, stored):
    stored.alt_text = ""
    stored.save()
    body = f"Before.\n\n![](image:{stored.pk})\n\nAfter."
    article = make_article(featured_image=stored, body=body)
    html = client.get(article.get_absolute_url()).content.decode()
    imgs = re.findall(r"<img\b[^>]*>", html)
    assert len(imgs) == 2
    assert all(re.search(r'\salt="[^"]*"', img) for img in imgs), imgs


# --- images in bodies ----------------------------------------------------------------


def test_a_body_places_a_library_image_by_number(stored):
    html = render_markdown(f"Text.\n\n![The delegates](image:{stored.pk})")
    assert html.startswith('<p>Text.</p>\n<p><picture><source type="image/webp" srcset=')
    img = re.search(r"<img [^>]+>", html).group(0)
    assert 'alt="The delegates"' in img and 'loading="lazy"' in img
    assert 'width="1600"' in img and 'height="800"' in img


def test_a_body_reference_takes_the_library_alt_text_when_it_gives_none(stored):
    assert 'alt="Delegates at a table"' in render_markdown(f"![](image:{stored.pk})")


def test_body_alt_text_stays_text(stored):
    html = render_markdown(f'![a" onerror="alert(1)<script>](image:{stored.pk})')
    assert "onerror=" not in html.replace("onerror=&quot;", "")
    assert "<script" not in html


def test_an_unknown_image_number_is_refused_with_what_to_do(db):
    with pytest.raises(MarkdownRefused) as refused:
        render_markdown("![x](image:424242)")
    assert refused.value.code == "unknown_image"
    assert "#424242" in str(refused.value)


def test_a_srcset_written_in_a_body_must_have_safe_urls(db):
    html = render_markdown('<img src="/a.jpg" srcset="javascript:alert(1) 2x" alt="x">')
    assert "javascript" not in html and "srcset" not in html


def test_a_reference_in_code_stays_code(stored):
    html = render_markdown(f"`![x](image:{stored.pk})`")
    assert "<picture>" not in html


# --- the admin -----------------------------------------------------------------------


def _upload(admin_client, data: bytes, name: str = "photo.jpg", **fields):
    post = {"alt_text": "", "caption": "", "credit": "", "focal_x": "0.5", "focal_y": "0.5"}
    post.update(fields)
    post["upload"] = SimpleUploadedFile(name, data, content_type="image/jpeg")
    return admin_client.post("/admin/newsroom/image/add/", post)


def test_an_upload_in_the_admin_is_stored_re_encoded_under_a_generated_name(admin_client):
    response = _upload(
        admin_client, files.with_gps_and_orientation(), "../../evil.php.jpg", alt_text="A cat"
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    image = Image.objects.get()
    assert "evil" not in image.file.name and image.file.name.endswith(".jpg")
    assert (image.width, image.height, image.alt_text) == (100, 300, "A cat")
    assert image.uploaded_by.username == "admin"
    with image.file.open("rb") as f:
        assert not PillowImage.open(f).getexif()
    assert image.renditions.count() == 3  # 100 wide: one width in two formats, the card


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "not a JPEG, PNG, WebP or GIF"),
        (b"<html><script>alert(1)</script></html>", "not a JPEG, PNG, WebP or GIF"),
        (b"<?php echo 1; ?>", "not a JPEG, PNG, WebP or GIF"),
        (files.png_header_only(50_000, 50_000), "too many pixels"),
    ],
    ids=["svg", "html", "php", "bomb"],
)
def test_a_hostile_upload_is_the_upload_fields_error(admin_client, data, message):
    response = _upload(admin_client, data, "x.jpg")
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert message in " ".join(errors["upload"])
    assert not Image.objects.exists()


def test_an_upload_over_the_size_limit_is_refused(admin_client, settings):
    settings.NEWSROOM_IMAGE_MAX_BYTES = 1000
    response = _upload(admin_client, files.picture(400, 300))
    assert "larger than 0.001 MB" in " ".join(response.context["adminform"].form.errors["upload"])


def test_an_image_already_in_the_library_is_named(admin_client, stored):
    response = _upload(admin_client, files.picture(2000, 1000))
    errors = " ".join(response.context["adminform"].form.errors["upload"])
    assert "already in the library" in errors and f"/admin/newsroom/image/{stored.pk}/" in errors


def test_changing_the_focal_point_remakes_the_crop_and_keeps_the_widths(admin_client, stored):
    url = f"/admin/newsroom/image/{stored.pk}/change/"
    old = dict(stored.renditions.values_list("spec", "file"))
    data = change_form_data(admin_client, url)
    data.update(focal_x="0.1", focal_y="0.2")
    assert admin_client.post(url, data).status_code == 302
    new = dict(stored.renditions.values_list("spec", "file"))
    assert set(new) == set(old) and len(new) == 7
    assert new["card.jpg"] != old["card.jpg"]
    assert {k: v for k, v in new.items() if k != "card.jpg"} == {
        k: v for k, v in old.items() if k != "card.jpg"
    }


def test_bodies_placing_an_image_follow_a_new_file_and_alt_text(admin_client, make_article, stored):
    article = make_article(body=f"Above.\n\n![](image:{stored.pk})")
    url = f"/admin/newsroom/image/{stored.pk}/change/"
    data = change_form_data(admin_client, url)
    data["alt_text"] = "The delegates, seated"
    data["upload"] = SimpleUploadedFile("new.png", files.picture(900, 600, "PNG"))
    assert admin_client.post(url, data).status_code == 302
    article.refresh_from_db()
    w480 = stored.renditions.get(spec="w480.webp").url
    assert w480 in article.body_html and 'alt="The delegates, seated"' in article.body_html


def test_the_library_flags_and_filters_images_without_alt_text(admin_client, stored):
    bare, _new = library.add(files.picture(64, 48, "PNG"))
    page = admin_client.get("/admin/newsroom/image/").content.decode()
    assert page.count("Missing alt text") >= 2  # the flag, and the filter's choice
    missing = admin_client.get("/admin/newsroom/image/?alt=missing")
    assert list(missing.context["cl"].result_list) == [bare]


@pytest.mark.parametrize("count", [1, 30])
def test_the_library_list_has_a_fixed_number_of_queries(
    admin_client, count, django_assert_num_queries
):
    for n in range(count):
        library.add(files.picture(20 + n, 20, "PNG"))
    admin_client.get("/admin/newsroom/image/")  # the session and the user, once
    # session, user, the bounded count, the page of images, their thumbnails
    with django_assert_num_queries(5):
        response = admin_client.get("/admin/newsroom/image/")
    assert response.content.decode().count('<img src="/media/renditions/') == count


def test_the_library_is_searched_by_number_url_hash_and_words(admin_client, stored):
    other = Image.objects.create(source_url="https://old.example/x.jpg", caption="Crowds")
    for term, expected in [
        (str(stored.pk), stored),
        ("https://old.example/x.jpg", other),
        (stored.content_hash, stored),
        ("crowds", other),
        ("delegates", stored),
    ]:
        response = admin_client.get("/admin/newsroom/image/", {"q": term})
        assert list(response.context["cl"].result_list) == [expected], term


def test_items_flag_a_featured_image_without_alt_text(admin_client, make_article, stored):
    stored.alt_text = ""
    stored.save()
    make_article(featured_image=stored)
    page = admin_client.get("/admin/newsroom/article/").content.decode()
    assert "No alt text" in page


def test_saving_an_item_whose_image_has_no_alt_text_warns(admin_client, make_article, stored):
    stored.alt_text = ""
    stored.save()
    article = make_article(featured_image=stored)
    url = f"/admin/newsroom/article/{article.pk}/change/"
    response = admin_client.post(url, change_form_data(admin_client, url), follow=True)
    messages = [str(m) for m in response.context["messages"]]
    assert any(
        "without alt text" in m and f"/admin/newsroom/image/{stored.pk}/change/" in m
        for m in messages
    ), messages


def test_an_image_in_use_cannot_be_deleted(make_article, stored):
    from django.db.models import ProtectedError

    make_article(featured_image=stored)
    with pytest.raises(ProtectedError):
        stored.delete()
    assert Article.objects.get().featured_image == stored


# --- revisions -----------------------------------------------------------------------


def test_a_revision_keeps_the_featured_image_and_a_revert_brings_it_back(admin_user, stored):
    from newsroom import revisions

    article = Article.objects.create(title="T", slug="t", featured_image=stored)
    first = revisions.record(article, via="form", user=admin_user)
    assert first.snapshot["fields"]["featured_image"] == [stored.pk, str(stored)]
    article.featured_image = None
    article.save()
    revisions.record(article, via="form", user=admin_user)
    _item, _new, warnings = revisions.revert(first, user=admin_user)
    assert warnings == [] and Article.objects.get().featured_image == stored


def test_a_file_gone_from_storage_does_not_break_the_page(client, make_article, stored):
    article = make_article(featured_image=stored)
    stored.renditions.all().delete()
    stored.file.storage.delete(stored.file.name)
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert f'<img src="{stored.file.url}" alt="Delegates at a table"' in response.content.decode()


def test_a_new_upload_replaces_the_file_and_its_renditions(
    admin_client, stored, django_capture_on_commit_callbacks
):
    url = f"/admin/newsroom/image/{stored.pk}/change/"
    old_file, old = stored.file.name, set(stored.renditions.values_list("file", flat=True))
    data = change_form_data(admin_client, url)
    data["upload"] = SimpleUploadedFile("new.png", files.picture(800, 800, "PNG"))
    with django_capture_on_commit_callbacks(execute=True):
        assert admin_client.post(url, data).status_code == 302
    stored.refresh_from_db()
    assert stored.file.name != old_file and (stored.width, stored.height) == (800, 800)
    assert not stored.file.storage.exists(old_file)
    assert not old & set(stored.renditions.values_list("file", flat=True))


def test_an_item_page_reads_its_image_and_renditions_in_one_query_more(
    client, make_quote, stored, django_assert_num_queries
):
    bare = make_quote()
    pictured = make_quote(featured_image=stored)
    client.get(pictured.get_absolute_url())  # renditions made (once), then the cache reset
    cache.clear()
    with django_assert_num_queries(4):  # the quote with its section, tags, bylines; the menu
        client.get(bare.get_absolute_url())
    with django_assert_num_queries(5):  # and the image's renditions (the image is joined)
        html = client.get(pictured.get_absolute_url()).content.decode()
    assert html.count(".webp ") == 3


def test_alt_text_caption_and_credit_stay_text_on_the_page(client, make_article, stored):
    hostile = '"><script>alert(1)</script><img src=x onerror=alert(2)>'
    stored.alt_text, stored.caption, stored.credit = hostile, hostile, hostile
    stored.save()
    article = make_article(featured_image=stored)
    html = client.get(article.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in html and "onerror=alert(2)>" not in html
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 4  # img, caption, credit, og


def test_reporters_upload_and_change_their_own_images_only(client, db):
    from django.contrib.auth.models import Group, User

    from newsroom.roles import REPORTERS

    reporter = User.objects.create_user("rita", is_staff=True)
    reporter.groups.add(Group.objects.get(name=REPORTERS))
    client.force_login(reporter)
    response = _upload(client, files.picture(300, 200), alt_text="Mine")
    assert response.status_code == 302
    mine = Image.objects.get(alt_text="Mine")
    theirs, _new = library.add(files.picture(64, 48, "PNG"), alt_text="Theirs")
    for image, editable in [(mine, True), (theirs, False)]:
        url = f"/admin/newsroom/image/{image.pk}/change/"
        assert client.get(url).context["has_change_permission"] is editable
        data = change_form_data(client, url) if editable else {"alt_text": "Changed"}
        data["alt_text"] = "Changed"
        assert client.post(url, data).status_code == (302 if editable else 403)
        image.refresh_from_db()
        assert (image.alt_text == "Changed") is editable


@pytest.mark.parametrize("use", ["featured", "body", "photo"])
def test_a_reporters_upload_in_use_is_the_editors_to_change(client, db, make_article, use):
    from django.contrib.auth.models import Group, User

    from newsroom.models import Author
    from newsroom.roles import REPORTERS

    reporter = User.objects.create_user("rita", is_staff=True)
    reporter.groups.add(Group.objects.get(name=REPORTERS))
    client.force_login(reporter)
    _upload(client, files.picture(300, 200), alt_text="Mine")
    mine = Image.objects.get(alt_text="Mine")
    url = f"/admin/newsroom/image/{mine.pk}/change/"
    # Unused: theirs to change, but never where it comes from.
    form = client.get(url).context["adminform"].form
    assert client.get(url).context["has_change_permission"] and "source_url" not in form.fields
    if use == "featured":
        make_article(featured_image=mine)
    elif use == "body":
        # A longer number is another image: not a use of this one.
        Article.objects.filter(pk=make_article().pk).update(body=f"![x](image:{mine.pk}0)")
        assert client.get(url).context["has_change_permission"] is True
        make_article(body=f"Before.\n\n![Mine](image:{mine.pk})\n\nAfter.")
    else:
        Author.objects.create(name="Ann", slug="ann", photo=mine)
    assert client.get(url).context["has_change_permission"] is False
    assert client.post(url, {"alt_text": "Changed"}).status_code == 403
    mine.refresh_from_db()
    assert mine.alt_text == "Mine"


def test_an_image_to_be_fetched_claims_no_card_size(client, make_article):
    image = Image.objects.create(source_url="https://old.example/a.jpg", fetch_status="pending")
    html = client.get(make_article(featured_image=image).get_absolute_url()).content.decode()
    assert '<meta property="og:image" content="https://old.example/a.jpg">' in html
    assert "og:image:width" not in html


def test_the_item_form_previews_its_image_and_flags_missing_alt_text(
    admin_client, make_article, stored
):
    article = make_article(featured_image=stored)
    url = f"/admin/newsroom/article/{article.pk}/change/"
    page = admin_client.get(url).content.decode()
    assert stored.renditions.get(spec="w480.webp").url in page
    assert "No alt text" not in page
    stored.alt_text = ""
    stored.save()
    assert "No alt text" in admin_client.get(url).content.decode()
