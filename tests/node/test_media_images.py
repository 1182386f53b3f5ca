"""Uploads are re-encoded so that no metadata survives, checked by content, and bounded in
bytes, pixels and frames (node.media.images): each test reads what would be stored."""

from __future__ import annotations

import io

import blurhash
import pytest
from PIL import Image

from node.media.images import MAX_BYTES, THUMBNAIL_SIDE, ImageError, process_image
from tests.rig import images


def opened(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data))


def assert_no_metadata(data: bytes) -> None:
    stored = opened(data)
    assert not stored.getexif(), "EXIF survived"
    assert not {"exif", "icc_profile", "xmp", "comment", "XML:com.adobe.xmp"} & set(stored.info), stored.info
    # And not hidden anywhere in the bytes: the GPS block, the camera, the XMP, the comment.
    for marker in (images.SECRET, b"Exif\x00\x00", b"KithCam", b"xpacket", b"ICC_PROFILE"):
        assert marker not in data, marker


@pytest.mark.parametrize("make, media_type", [(images.jpeg, "image/jpeg"), (images.png, "image/png"),
                                              (images.webp, "image/webp")])
def test_upload__stored_file_carries_no_exif_gps_xmp_icc_or_comment(make, media_type):
    # Given a picture full of metadata (GPS position included)
    original = make()
    assert images.SECRET in original or opened(original).getexif()
    # When it is processed
    result = process_image(original)
    # Then the stored file and its thumbnail carry pixels only
    assert result.media_type == media_type
    assert_no_metadata(result.data)
    assert_no_metadata(result.thumbnail)


def test_upload__exif_orientation_is_applied_before_it_is_dropped():
    # Given a 64x48 photo whose EXIF says "rotate 90° clockwise to view" (orientation 6)
    result = process_image(images.jpeg(64, 48, orientation=6))
    # Then the stored picture is upright: 48 wide, 64 high, red (the left half) now on top
    stored = opened(result.data).convert("RGB")
    assert (result.width, result.height) == stored.size == (48, 64)
    red, _, blue = stored.getpixel((24, 8))
    assert red > 200 and blue < 60


def test_upload__type_is_read_from_the_content_not_the_name():
    # A PNG is a PNG whatever it claims; text, HTML and SVG are not images we take
    assert process_image(images.png()).media_type == "image/png"
    for data in (b"hello, world", b"<html><script>alert(1)</script></html>",
                 b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', b"%PDF-1.4\n"):
        with pytest.raises(ImageError, match="not a JPEG, PNG, WebP or GIF"):
            process_image(data)


def test_upload__damaged_images_are_refused_with_a_reason():
    whole = images.jpeg(200, 150)
    for broken in (whole[: len(whole) // 2], whole[:40], images.png()[:60]):
        with pytest.raises(ImageError, match="damaged|not a JPEG"):
            process_image(broken)


def test_upload__limits_on_bytes_pixels_and_frames():
    with pytest.raises(ImageError, match="at most 16 MiB"):
        process_image(b"\xff\xd8" + b"\x00" * MAX_BYTES)
    # A decompression bomb: a few kilobytes declaring 48 megapixels, refused before decoding
    with pytest.raises(ImageError, match="megapixels"):
        process_image(images.huge_png())
    with pytest.raises(ImageError, match="megapixels"):
        process_image(images.huge_png(40_000, 40_000))  # past Pillow's own guard too
    with pytest.raises(ImageError, match="frames"):
        process_image(images.gif(frames=301, width=2, height=2))


def test_upload__animated_gif_stays_animated_without_its_comment():
    result = process_image(images.gif(frames=3))
    stored = opened(result.data)
    assert result.media_type == "image/gif" and stored.is_animated and stored.n_frames == 3
    assert images.SECRET not in result.data and "comment" not in stored.info
    assert opened(result.thumbnail).format == "WEBP"


def test_upload__a_still_gif_is_stored_as_png():
    result = process_image(images.gif(frames=1))
    assert result.media_type == "image/png" and images.SECRET not in result.data


def test_upload__transparency_is_kept():
    result = process_image(images.png(alpha=True))
    stored = opened(result.data)
    assert stored.mode == "RGBA" and stored.getpixel((0, 0))[3] == 0


def test_upload__thumbnail_and_blurhash():
    result = process_image(images.jpeg(1600, 1200))
    thumbnail = opened(result.thumbnail)
    assert thumbnail.format == "WEBP" and max(thumbnail.size) == THUMBNAIL_SIDE
    assert blurhash.components(result.blurhash) == (4, 3)
    assert len(result.blurhash) == 28
