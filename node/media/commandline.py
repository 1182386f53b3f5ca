"""`kith post ... --media FILE --alt TEXT`: repeatable; each --alt describes the --media
given just before it. The files go through the same checks as the web form's uploads.
Imports nothing heavy at load: every `kith` command builds this parser."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from node.media.limits import MAX_ATTACHMENTS, MAX_BYTES

if TYPE_CHECKING:
    from node.services.media import Upload


class _MediaAction(argparse.Action):
    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, value: Any,
                 option: str | None = None) -> None:
        namespace.media = [*(namespace.media or []), [value, None]]


class _AltAction(argparse.Action):
    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, value: Any,
                 option: str | None = None) -> None:
        media = namespace.media or []
        if not media or media[-1][1] is not None:
            parser.error("--alt describes the --media FILE just before it; give one --alt per --media")
        media[-1][1] = value


def add_media_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the repeatable --media FILE and --alt TEXT options to `parser`."""
    parser.add_argument("--media", action=_MediaAction, default=[], metavar="FILE",
                        help=f"attach an image (JPEG, PNG, WebP, GIF; up to {MAX_ATTACHMENTS}); repeatable")
    parser.add_argument("--alt", action=_AltAction, metavar="TEXT",
                        help="the description (alt text) of the --media just before it")


def uploads_of(media: Sequence[Sequence[Any]]) -> list[Upload]:
    """Return the uploads the --media/--alt pairs name, read from disk; raise MediaError
    for too many, a missing or unreadable file, or one over the size limit."""
    from node.services.media import MediaError, Upload  # Pillow loads only when posting

    if len(media) > MAX_ATTACHMENTS:
        raise MediaError(f"a post may have at most {MAX_ATTACHMENTS} images, not {len(media)}")
    uploads = []
    for path, description in media:
        try:
            with Path(path).open("rb") as f:
                data = f.read(MAX_BYTES + 1)
        except OSError as e:
            raise MediaError(f"cannot read {path}: {e.strerror or e}") from None
        if len(data) > MAX_BYTES:
            raise MediaError(f"{path}: an image may be at most {MAX_BYTES // (1024 * 1024)} MiB")
        uploads.append(Upload(data, description or "", Path(path).name))
    return uploads
