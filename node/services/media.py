"""Our uploads: checked and re-encoded (node.media.images, in a worker thread), written
under unguessable names (node.media.files), attached to their post in the post's
transaction, and deleted with the post.

A refused upload stores nothing: every upload of a post is processed before any file is
written, and the files written are removed again when the post is not made.
"""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import AsyncIterator, Sequence

from node.media.attachments import MAX_DESCRIPTION
from node.media.files import MediaFiles, new_name, thumbnail_name_for
from node.media.images import ImageError, ProcessedImage, process_image
from node.media.limits import MAX_ATTACHMENTS
from node.models import Media, Post


class MediaError(ValueError):
    """Uploads that cannot be taken; the message says which and why."""


@dataclass(frozen=True)
class Upload:
    """A file someone gave us to attach, with its description (alt text)."""

    data: bytes
    description: str = ""
    filename: str = ""  # as the sender named it: for messages only, never trusted


@dataclass(frozen=True)
class ReadyUpload:
    """An upload re-encoded and ready to store."""

    image: ProcessedImage
    description: str


@dataclass(frozen=True)
class StoredUpload:
    """An upload written to disk, not yet attached to a post."""

    ready: ReadyUpload
    file_name: str
    thumbnail_name: str


async def prepare_uploads(uploads: Sequence[Upload]) -> list[ReadyUpload]:
    """Return the uploads checked and re-encoded (off the event loop); raise MediaError for
    too many, a description too long, or a file that is not an image we take."""
    if len(uploads) > MAX_ATTACHMENTS:
        raise MediaError(f"a post may have at most {MAX_ATTACHMENTS} images, not {len(uploads)}")
    for number, upload in enumerate(uploads, 1):
        if len(upload.description) > MAX_DESCRIPTION:
            raise MediaError(f"{_which(number, upload)}: a description may have at most "
                             f"{MAX_DESCRIPTION} characters, this one has {len(upload.description)}")
    return await asyncio.to_thread(_process_all, list(uploads))


def _process_all(uploads: list[Upload]) -> list[ReadyUpload]:
    ready = []
    for number, upload in enumerate(uploads, 1):
        try:
            ready.append(ReadyUpload(process_image(upload.data), upload.description.strip()))
        except ImageError as e:
            raise MediaError(f"{_which(number, upload)}: {e}") from None
    return ready


def _which(number: int, upload: Upload) -> str:
    name = upload.filename.replace("\n", " ")[:80]
    return f"image {number}" + (f" ({name})" if name else "")


@asynccontextmanager
async def stored_uploads(files: MediaFiles, ready: Sequence[ReadyUpload]) -> AsyncIterator[list[StoredUpload]]:
    """Write the uploads' files for the block, which attaches them to a post; remove the
    files again when the block fails, so a post that is not made leaves nothing behind."""
    stored = []
    for item in ready:
        name = new_name(item.image.extension)
        stored.append(StoredUpload(item, name, thumbnail_name_for(name)))
    names = [n for s in stored for n in (s.file_name, s.thumbnail_name)]
    try:
        await asyncio.to_thread(_write_all, files, stored)
        yield stored
    except BaseException:
        await asyncio.to_thread(files.remove, names)
        raise


def _write_all(files: MediaFiles, stored: list[StoredUpload]) -> None:
    for item in stored:
        files.write(item.file_name, item.ready.image.data)
        files.write(item.thumbnail_name, item.ready.image.thumbnail)


async def attach_media(post: Post, stored: Sequence[StoredUpload]) -> None:
    """Attach stored uploads to our new post, in order (call inside its transaction); the
    post's `media` are loaded afterwards, for the Note that announces it."""
    if stored:
        await Media.bulk_create([_row(post, item, position) for position, item in enumerate(stored)])
    await post.fetch_related("media")


def _row(post: Post, item: StoredUpload, position: int) -> Media:
    image = item.ready.image
    return Media(owner_id=post.author_id, post_id=post.id, position=position, file_name=item.file_name,
                 thumbnail_name=item.thumbnail_name, media_type=image.media_type, width=image.width,
                 height=image.height, blurhash=image.blurhash, description=item.ready.description)


async def delete_media_of(files: MediaFiles, post: Post) -> None:
    """Delete the post's attachments: their rows, and the files of ours."""
    rows = await Media.filter(post_id=post.id).values_list("file_name", "thumbnail_name")
    await Media.filter(post_id=post.id).delete()
    names = [name for pair in rows for name in pair if name]
    if names:
        await asyncio.to_thread(files.remove, names)
