from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from newsroom.images import library
from newsroom.models import Image
from tests import image_files as files

pytestmark = pytest.mark.django_db
DEMO = Path(__file__).resolve().parent.parent / "config/demo/demo-horizon.png"


def test_the_demo_picture_is_small_and_the_projects_own():
    assert DEMO.stat().st_size < 20_000


def test_items_without_a_stored_picture_get_the_demos(settings, make_article, make_quote):
    settings.DEBUG = True
    stored, _new = library.add(files.picture(64, 48, "PNG"), alt_text="Own")
    pending = Image.objects.create(source_url="https://old.example/a.jpg", fetch_status="pending")
    bare, elsewhere, own = (
        make_article(),
        make_quote(featured_image=pending),
        make_article(featured_image=stored),
    )
    out = StringIO()
    call_command("demo_images", str(DEMO), stdout=out)
    demo = Image.objects.get(credit="Newsroom demo")
    assert demo.file and demo.alt_text and demo.renditions.exists()
    assert f"image #{demo.pk} on 2 items" in out.getvalue()
    for item in (bare, elsewhere):
        item.refresh_from_db()
        assert item.featured_image == demo
    own.refresh_from_db()
    assert own.featured_image == stored
    assert Image.objects.filter(source_url="https://old.example/a.jpg").exists()  # kept
    call_command("demo_images", str(DEMO), stdout=StringIO())  # again: the same image
    assert Image.objects.filter(credit="Newsroom demo").count() == 1


def test_no_demo_images_without_debug(settings, make_article):
    settings.DEBUG = False
    out = StringIO()
    call_command("demo_images", str(DEMO), stdout=out)
    assert "skipped" in out.getvalue() and not Image.objects.exists()


def test_a_file_that_is_not_a_picture_is_refused(settings, tmp_path):
    settings.DEBUG = True
    (tmp_path / "x.png").write_text("<svg/>")
    with pytest.raises(CommandError, match="not a JPEG, PNG, WebP or GIF"):
        call_command("demo_images", str(tmp_path / "x.png"), stdout=StringIO())
