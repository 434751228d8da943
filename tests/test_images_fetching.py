"""Fetching images known by URL, from a local HTTP server (never the internet)."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO

import pytest
from django.core.management import call_command

from newsroom.images import library
from newsroom.models import Article, Image
from tests import image_files as files

JPEG = files.picture(1000, 500)
OTHER = files.picture(640, 480, "PNG")


class Handler(BaseHTTPRequestHandler):
    routes: dict[str, bytes] = {}
    hits: dict[str, int] = {}

    def do_GET(self):
        Handler.hits[self.path] = Handler.hits.get(self.path, 0) + 1
        if self.path == "/slow.jpg":
            time.sleep(3)
        if self.path == "/drip.jpg":  # a byte every half second, for ever
            self.send_response(200)
            self.send_header("Content-Length", "100000")
            self.end_headers()
            try:
                for _ in range(200):
                    self.wfile.write(b"x")
                    self.wfile.flush()
                    time.sleep(0.5)
            except OSError:
                pass
            return
        body = Handler.routes.get(self.path)
        if body is None:
            self.send_response(404)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "image/jpeg")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server(settings):
    """A picture server on this machine: a private address, which the fetcher refuses
    unless told otherwise (tested below), as a site with pictures on its own network is."""
    settings.NEWSROOM_IMAGE_FETCH_INTERNAL = True
    Handler.routes = {
        "/a.jpg": JPEG,
        "/copy-of-a.jpg": JPEG,
        "/b.png": OTHER,
        "/page.html": b"<html><body>Not found, but 200</body></html>",
        "/slow.jpg": JPEG,
    }
    Handler.hits = {}
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def fetch_images(*args) -> str:
    out = StringIO()
    call_command("fetch_images", *args, stdout=out)
    return out.getvalue()


def test_images_to_fetch_are_downloaded_stored_and_reported(server, db, make_article):
    image = library.to_fetch(f"{server}/a.jpg", alt_text="Delegates")
    article = make_article(featured_image=image)
    output = fetch_images()
    image.refresh_from_db()
    assert image.fetch_status == Image.FetchStatus.FETCHED
    assert (image.width, image.height, image.alt_text) == (1000, 500, "Delegates")
    assert image.file.name.startswith("images/") and image.renditions.count() == 7
    assert image.source_url == f"{server}/a.jpg"  # kept: where it came from
    assert f"fetched: {server}/a.jpg (image #{image.pk}): 1000 × 500" in output
    assert "Images: 1 fetched, 0 reused, 0 failed." in output
    assert Article.objects.get(pk=article.pk).featured_image.file == image.file
    assert fetch_images().endswith("Images: 0 fetched, 0 reused, 0 failed.\n")  # done once


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/missing.jpg", "HTTP 404"),
        ("/page.html", "not a JPEG, PNG, WebP or GIF"),
        ("/slow.jpg", "timeout"),
    ],
    ids=["404", "not-an-image", "timeout"],
)
def test_a_failure_is_reported_per_file_and_keeps_the_url(
    server, db, settings, make_article, client, path, reason
):
    settings.NEWSROOM_IMAGE_FETCH_SECONDS = 0.5
    image = library.to_fetch(f"{server}{path}")
    good = library.to_fetch(f"{server}/b.png")
    article = make_article(featured_image=image)
    output = fetch_images()
    image.refresh_from_db()
    assert image.fetch_status == Image.FetchStatus.FAILED
    assert reason in image.fetch_error
    assert f"failed: {server}{path} (image #{image.pk}): " in output and reason in output
    assert "Images: 1 fetched, 0 reused, 1 failed." in output
    assert not image.file and image.source_url == f"{server}{path}"
    good.refresh_from_db()
    assert good.fetch_status == Image.FetchStatus.FETCHED  # one failure stops nothing
    # The page still shows the picture from where it was.
    html = client.get(article.get_absolute_url()).content.decode()
    assert f'<img src="{server}{path}" alt="">' in html


def test_the_size_limit_holds_for_downloads(server, db, settings):
    settings.NEWSROOM_IMAGE_MAX_BYTES = 1000
    image = library.to_fetch(f"{server}/a.jpg")
    assert "over the limit" in fetch_images()
    image.refresh_from_db()
    assert image.fetch_status == Image.FetchStatus.FAILED


def test_one_url_is_downloaded_once_for_every_image_of_it(server, db):
    first = library.to_fetch(f"{server}/a.jpg", caption="One")
    second = library.to_fetch(f"{server}/a.jpg", caption="Two")
    output = fetch_images()
    assert Handler.hits == {"/a.jpg": 1}
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.file.name == second.file.name
    assert (first.caption, second.caption) == ("One", "Two")
    assert f"reused: {server}/a.jpg (image #{second.pk}): same URL as image #{first.pk}" in output
    # Recorded again later (another import), the URL is not downloaded again either.
    third = library.to_fetch(f"{server}/a.jpg", caption="Three")
    fetch_images()
    third.refresh_from_db()
    assert Handler.hits == {"/a.jpg": 1} and third.file.name == first.file.name


def test_the_same_bytes_at_another_url_are_not_stored_again(server, db):
    first, _new = library.add(JPEG)
    copy = library.to_fetch(f"{server}/copy-of-a.jpg")
    output = fetch_images()
    copy.refresh_from_db()
    assert copy.file.name == first.file.name and copy.content_hash == first.content_hash
    assert f"same content as image #{first.pk}" in output


def test_failed_fetches_are_tried_again_when_asked(server, db):
    image = library.to_fetch(f"{server}/later.jpg")
    fetch_images()
    Handler.routes["/later.jpg"] = OTHER
    assert "0 fetched" in fetch_images()
    assert "1 fetched" in fetch_images("--retry-failed")
    image.refresh_from_db()
    assert image.fetch_status == Image.FetchStatus.FETCHED


def test_import_sources_fetch_images(server, db, tmp_path):
    (tmp_path / "a.md").write_text(
        f"---\ntitle: With a picture\ndate: 2020-01-02\nfeatured_image:\n"
        f"  image: {server}/a.jpg\n  alt: Delegates\n---\nBody.\n"
    )
    (tmp_path / "b.md").write_text(
        f"---\ntitle: Same picture\ndate: 2020-01-03\nfeatured_image: {server}/a.jpg\n---\n"
    )
    out = StringIO()
    call_command("import_sources", str(tmp_path), stdout=out)
    assert Image.objects.to_fetch().count() == 2  # recorded, not fetched
    assert Handler.hits == {}
    call_command("import_sources", str(tmp_path), "--fetch-images", stdout=out)
    assert "Images: 1 fetched, 1 reused, 0 failed." in out.getvalue()
    assert Handler.hits == {"/a.jpg": 1}
    a = Article.objects.get(title="With a picture")
    assert a.featured_image.alt_text == "Delegates" and a.featured_image.file


def test_pictures_in_bodies_are_recorded_then_brought_home(server, db, tmp_path):
    body = (
        f'Look: ![A chart]({server}/b.png "Chart")\n\n'
        f"And ![gone]({server}/missing.jpg), and a [link]({server}/b.png)."
    )
    (tmp_path / "a.md").write_text(f"---\ntitle: Charts\ndate: 2020-01-02\n---\n{body}\n")
    out = StringIO()
    call_command("import_sources", str(tmp_path), stdout=out)
    article = Article.objects.get()
    assert article.body.strip() == body
    urls = set(Image.objects.to_fetch().values_list("source_url", flat=True))
    assert urls == {f"{server}/b.png", f"{server}/missing.jpg"}

    call_command("import_sources", str(tmp_path), "--fetch-images", stdout=out)
    output = out.getvalue()
    assert "Images: 1 fetched, 0 reused, 1 failed." in output
    assert f"failed: {server}/missing.jpg" in output and "HTTP 404" in output
    assert "Bodies: 1 items now show pictures from the library." in output
    article.refresh_from_db()
    chart = Image.objects.get(source_url=f"{server}/b.png")
    assert f"Look: ![A chart](image:{chart.pk})" in article.body
    assert f"![gone]({server}/missing.jpg)" in article.body  # left as it was
    assert f"[link]({server}/b.png)" in article.body  # a link is not a picture
    assert "<picture>" in article.body_html and 'alt="A chart"' in article.body_html
    assert f'src="{server}/missing.jpg"' in article.body_html
    # The file has not changed: importing it again changes nothing, and is no conflict.
    out = StringIO()
    call_command("import_sources", str(tmp_path), stdout=out)
    assert "1 unchanged, 0 conflict, 0 failed" in out.getvalue()
    article.refresh_from_db()
    assert f"![A chart](image:{chart.pk})" in article.body


def test_an_archive_body_may_place_a_library_image(db, tmp_path):
    image, _new = library.add(OTHER, alt_text="A square")
    (tmp_path / "a.md").write_text(
        f"---\ntitle: Placed\ndate: 2020-01-02\n---\n![](image:{image.pk})\n"
    )
    (tmp_path / "b.md").write_text("---\ntitle: Missing\ndate: 2020-01-02\n---\n![](image:99999)\n")
    out = StringIO()
    with pytest.raises(Exception, match="1 of 2 files failed"):
        call_command("import_sources", str(tmp_path), stdout=out)
    placed = Article.objects.get()
    assert placed.title == "Placed" and 'alt="A square"' in placed.body_html
    assert "image #99999, which the image library does not have" in out.getvalue()


def test_a_body_placing_an_image_before_it_was_fetched_shows_the_fetched_file(
    server, db, make_article
):
    image = library.to_fetch(f"{server}/b.png", alt_text="A chart")
    article = make_article(body=f"Chart:\n\n![](image:{image.pk})")
    assert f'<img src="{server}/b.png" alt="A chart" loading="lazy">' in article.body_html
    assert "1 items placing fetched images rendered again" in fetch_images()
    article.refresh_from_db()
    w480 = image.renditions.get(spec="w480.webp").url
    assert w480 in article.body_html and f"{server}/b.png" not in article.body_html


def test_a_private_or_loopback_address_is_refused_by_default(server, db, settings):
    settings.NEWSROOM_IMAGE_FETCH_INTERNAL = False
    for url in [f"{server}/a.jpg", "http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/x"]:
        image = library.to_fetch(url)
        fetch_images()
        image.refresh_from_db()
        assert image.fetch_status == Image.FetchStatus.FAILED, url
        assert "is not a public address" in image.fetch_error
    assert Handler.hits == {}  # nothing was asked of the local server


def test_a_server_dripping_bytes_is_cut_off_at_the_deadline(server, db, settings):
    settings.NEWSROOM_IMAGE_FETCH_SECONDS = 1.5
    image = library.to_fetch(f"{server}/drip.jpg")
    started = time.monotonic()
    fetch_images()
    assert time.monotonic() - started < 10
    image.refresh_from_db()
    assert image.fetch_status == Image.FetchStatus.FAILED and "timeout" in image.fetch_error


def test_an_upload_naming_a_url_is_not_taken_for_that_urls_picture(server, db):
    planted, _new = library.add(OTHER, source_url=f"{server}/a.jpg")
    waiting = library.to_fetch(f"{server}/a.jpg", alt_text="The archive's picture")
    fetch_images()
    waiting.refresh_from_db()
    assert waiting.fetch_status == Image.FetchStatus.FETCHED
    assert waiting.file != planted.file and (waiting.width, waiting.height) == (1000, 500)
