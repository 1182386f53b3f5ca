"""Uploaded images made safe to keep and to share: `process_image(bytes)` decodes with
Pillow, checks, and re-encodes, so nothing but pixels leaves with the picture.

What goes: EXIF (GPS position, camera, times), XMP, ICC profiles, comments, every chunk
and extension that is not pixels. The EXIF orientation is applied to the pixels first, so
a photo taken on its side is not shown on its side once its EXIF is gone.

What is checked: the type by content (Pillow's JPEG, PNG, WebP and GIF decoders only,
whatever the file is called or claims), the size in bytes, the pixels of a frame (before
any decoding, from the header), and for animations the frames and their pixels in all.

What is stored: the same format (a still GIF as PNG, which keeps its transparency), at
most STORED_MAX_SIDE pixels on its longer side, plus a WebP thumbnail and a blurhash.
An animated GIF or WebP stays animated, re-encoded frame by frame: converting it to video
(Mastodon's "gifv") needs ffmpeg, which Kith does not require, and the receiving servers
read animated GIFs as they are (Mastodon converts them itself).

CPU-bound and synchronous: callers run it in a worker thread. Imports neither the web app
nor the database.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

import blurhash
from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

from node.media.limits import MAX_BYTES

MAX_PIXELS = 40_000_000  # per frame: a 12-megapixel photo passes with room to spare
MAX_FRAMES = 300
MAX_ANIMATION_PIXELS = 25_000_000  # frames x pixels: bounds the memory an animation takes
STORED_MAX_SIDE = 4096
THUMBNAIL_SIDE = 640
JPEG_QUALITY = 85
WEBP_QUALITY = 82

# Pillow format -> (media type, file extension) of what we store.
FORMATS = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
    "GIF": ("image/gif", "gif"),
}
KINDS = "a JPEG, PNG, WebP or GIF image"


class ImageError(ValueError):
    """The upload cannot be taken; the message says why, for the person who sent it."""


@dataclass(frozen=True)
class ProcessedImage:
    """A re-encoded upload, its thumbnail (WebP) and blurhash, ready to store."""

    data: bytes
    media_type: str
    extension: str
    width: int
    height: int
    thumbnail: bytes
    blurhash: str


def process_image(data: bytes) -> ProcessedImage:
    """Return the upload `data` re-encoded without metadata; raise ImageError saying why
    it was refused (too large, not an image we take, too many pixels, damaged)."""
    if len(data) > MAX_BYTES:
        raise ImageError(f"an image may be at most {MAX_BYTES // (1024 * 1024)} MiB")
    # The decompression-bomb guard, set on purpose rather than left at Pillow's default:
    # Image.open refuses outright above twice this, and _check_size refuses above it,
    # both before any pixel is decoded.
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with warnings.catch_warnings():
            # Between once and twice the limit Pillow only warns: that is a refusal here too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=list(FORMATS)) as image:
                _check_size(image)
                return _process(image)
    except ImageError:
        raise
    except UnidentifiedImageError:
        raise ImageError(f"the file is not {KINDS}") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageError(_too_many_pixels()) from None
    except Exception as e:  # Pillow raises many kinds on damaged data (OSError, ValueError, ...)
        raise ImageError(f"the image could not be read; it may be damaged ({type(e).__name__})") from None


def _too_many_pixels() -> str:
    return f"an image may have at most {MAX_PIXELS // 1_000_000} megapixels"


def _check_size(image: Image.Image) -> None:
    width, height = image.size
    if width < 1 or height < 1:
        raise ImageError("the image has no pixels")
    if width * height > MAX_PIXELS:
        raise ImageError(_too_many_pixels())
    if _is_animated(image):
        frames = image.n_frames
        if frames > MAX_FRAMES:
            raise ImageError(f"an animation may have at most {MAX_FRAMES} frames")
        if frames * width * height > MAX_ANIMATION_PIXELS:
            raise ImageError("the animation is too large: make it smaller or shorter")


def _is_animated(image: Image.Image) -> bool:
    return image.format in ("GIF", "WEBP") and bool(getattr(image, "is_animated", False))


def _process(image: Image.Image) -> ProcessedImage:
    if _is_animated(image):
        frames, durations, loop = _frames(image)
        data = _encode_animation(frames, durations, loop, image.format)
        first, fmt = frames[0], image.format
    else:
        image.load()
        first = _fit(_clean_mode(ImageOps.exif_transpose(image), image.format), STORED_MAX_SIDE)
        fmt = "PNG" if image.format == "GIF" else image.format
        data = _encode(first, fmt)
    thumbnail = _thumbnail(first)
    media_type, extension = FORMATS[fmt]
    return ProcessedImage(data=data, media_type=media_type, extension=extension, width=first.width,
                          height=first.height, thumbnail=_encode(thumbnail, "WEBP"),
                          blurhash=_blurhash(thumbnail))


def _clean_mode(image: Image.Image, fmt: str) -> Image.Image:
    """Return `image` in a mode its format stores plainly: RGB or L for JPEG, with alpha
    (RGBA) wherever the picture has transparency and the format keeps it."""
    has_alpha = image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info
    if fmt == "JPEG":
        return image if image.mode in ("RGB", "L") else image.convert("RGB")
    if has_alpha:
        return image if image.mode == "RGBA" else image.convert("RGBA")
    return image if image.mode in ("RGB", "L") else image.convert("RGB")


def _fit(image: Image.Image, side: int) -> Image.Image:
    if max(image.size) <= side:
        return image
    fitted = image.copy()
    fitted.thumbnail((side, side), Image.Resampling.LANCZOS, reducing_gap=3.0)
    return fitted


def _frames(image: Image.Image) -> tuple[list[Image.Image], list[int], int]:
    """Return the animation's frames (whole pictures, RGBA), their durations (ms) and
    loop count."""
    frames, durations = [], []
    for frame in ImageSequence.Iterator(image):
        durations.append(int(frame.info.get("duration") or 100))
        frames.append(_fit(frame.convert("RGBA"), STORED_MAX_SIDE))
    return frames, durations, int(image.info.get("loop", 0))


def _encode(image: Image.Image, fmt: str) -> bytes:
    """Return `image` encoded as `fmt` with no metadata at all."""
    image.info = {}  # savers fall back to .info for ICC profiles and comments
    out = io.BytesIO()
    if fmt == "JPEG":
        image.save(out, "JPEG", quality=JPEG_QUALITY)
    elif fmt == "WEBP":
        image.save(out, "WEBP", quality=WEBP_QUALITY, method=3)
    else:
        image.save(out, fmt)
    return out.getvalue()


def _encode_animation(frames: list[Image.Image], durations: list[int], loop: int, fmt: str) -> bytes:
    for frame in frames:
        frame.info = {}
    out = io.BytesIO()
    options = {"quality": WEBP_QUALITY} if fmt == "WEBP" else {"disposal": 2}
    frames[0].save(out, fmt, save_all=True, append_images=frames[1:], duration=durations, loop=loop, **options)
    return out.getvalue()


def _thumbnail(image: Image.Image) -> Image.Image:
    thumbnail = image.copy()
    thumbnail.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE), Image.Resampling.LANCZOS, reducing_gap=3.0)
    return _clean_mode(thumbnail, "WEBP")


def _blurhash(image: Image.Image) -> str:
    """Return the blurhash of `image` (4x3 components, as a placeholder needs no more),
    computed on a copy a few dozen pixels wide: the pure-Python encoder is quick there."""
    small = image.convert("RGB")
    small.thumbnail((32, 32), Image.Resampling.BILINEAR)
    raw, width = small.tobytes(), small.width
    pixels = [tuple(raw[i:i + 3]) for i in range(0, len(raw), 3)]
    rows = [pixels[y * width:(y + 1) * width] for y in range(small.height)]
    x, y = (4, 3) if small.width >= small.height else (3, 4)
    return blurhash.encode(rows, components_x=x, components_y=y)
