"""What an image file must go through before the library takes it (newsroom.images.processing)."""

from __future__ import annotations

import hashlib

import pytest
from PIL import ExifTags

from newsroom.images.processing import ImageRefused, clean
from tests import image_files as files
from tests.image_files import PAYLOAD


@pytest.mark.parametrize(
    ("data", "stored"),
    [
        (files.picture(64, 48, "JPEG"), "JPEG"),
        (files.picture(64, 48, "PNG"), "PNG"),
        (files.picture(64, 48, "WEBP"), "WEBP"),
        (files.gif_with_comment(b"hello"), "PNG"),
    ],
    ids=["jpeg", "png", "webp", "gif"],
)
def test_the_four_formats_are_accepted_and_encoded_again(data, stored):
    result = clean(data)
    assert (result.format, result.width, result.height) == (stored, *files.opened(data).size)
    assert files.opened(result.content).format == stored
    assert result.content != data


@pytest.mark.parametrize(
    "data",
    [
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>',
        b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>",
        b"<?php system($_GET['c']); ?>",
        b"GIF89a<?php system($_GET['c']); ?>",  # a GIF's signature, then code
        files.picture(64, 48, "BMP"),  # an image, but not one of the four formats
        b"",
    ],
    ids=["svg", "html", "php", "gif-signature-php", "bmp", "empty"],
)
def test_what_is_not_a_jpeg_png_webp_or_gif_is_refused_by_its_content(data):
    with pytest.raises(ImageRefused) as refused:
        clean(data)
    assert refused.value.code in {"not_an_image", "damaged"}
    assert "JPEG, PNG, WebP or GIF" in str(refused.value) or "damaged" in str(refused.value)


@pytest.mark.parametrize(
    "data",
    [
        files.picture(64, 48, "JPEG") + PAYLOAD,  # appended after the end of the image
        files.picture(64, 48, "JPEG", comment=PAYLOAD),  # in a JPEG comment
        files.gif_with_comment(PAYLOAD),
        files.png_with_text(PAYLOAD.decode()),
    ],
    ids=["jpeg-appended", "jpeg-comment", "gif-comment", "png-text"],
)
def test_polyglots_keep_nothing_of_their_payload(data):
    assert PAYLOAD in data
    result = clean(data)
    assert PAYLOAD not in result.content
    assert b"<?php" not in result.content and b"<script" not in result.content


def test_a_decompression_bomb_is_refused_before_it_is_decoded():
    bomb = files.png_header_only(50_000, 50_000)
    assert len(bomb) < 200
    with pytest.raises(ImageRefused) as refused:
        clean(bomb)
    assert refused.value.code == "too_many_pixels"
    assert "too many pixels" in str(refused.value)


def test_the_pixel_limit_is_a_setting(settings):
    settings.NEWSROOM_IMAGE_MAX_PIXELS = 1000
    with pytest.raises(ImageRefused) as refused:
        clean(files.picture(50, 50, "PNG"))
    assert refused.value.code == "too_many_pixels"
    assert "(50 × 50)" in str(refused.value)
    assert clean(files.picture(40, 25, "PNG")).width == 40


def test_the_size_limit_is_a_setting(settings):
    data = files.picture(64, 48, "PNG")
    settings.NEWSROOM_IMAGE_MAX_BYTES = len(data) - 1
    with pytest.raises(ImageRefused) as refused:
        clean(data)
    assert refused.value.code == "too_large"


def test_a_truncated_image_is_refused_as_damaged():
    data = files.picture(400, 300, "PNG")
    with pytest.raises(ImageRefused) as refused:
        clean(data[: len(data) // 2])
    assert refused.value.code == "damaged"


def test_exif_and_gps_are_stripped_after_the_orientation_is_applied():
    data = files.with_gps_and_orientation()
    before = files.opened(data).getexif()
    assert before.get_ifd(ExifTags.IFD.GPSInfo) and before[ExifTags.Base.Orientation] == 6
    result = clean(data)
    after = files.opened(result.content)
    # Turned upright as the EXIF said: 300×100 becomes 100×300.
    assert (result.width, result.height) == (100, 300) == after.size
    assert not after.getexif()
    assert b"Exif" not in result.content and b"SecretCam" not in result.content
    assert "exif" not in after.info and "xmp" not in after.info


def test_the_hash_is_of_the_bytes_that_came_in():
    data = files.picture(64, 48, "PNG")
    assert clean(data).original_sha256 == hashlib.sha256(data).hexdigest()
