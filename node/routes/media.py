"""Media over HTTP: our files (`/media/<name>`), the media proxy for other servers' media
(`/media/proxy/<signature>/<url>`), and reading uploads from the compose form.

Both kinds are served with their media type, nosniff and a CSP that allows nothing (a
picture opened on its own is still only a picture). Our files live long in caches (their
names never change meaning); a file of a deleted post answers 404 like one that never was.

The proxy serves only addresses this node signed (node.proxy_urls): anything else is 404,
so it is no open relay. What it fetches and refuses is node.media.proxy's business.
"""

from __future__ import annotations

import asyncio

from quart import Blueprint, Response, abort, current_app, request
from quart.wrappers.request import Request
from tortoise.expressions import Q
from werkzeug.exceptions import RequestEntityTooLarge

from federation.errors import FetchError, NotFound, TooLarge, UnsafeURL, UnwantedContent
from node.media.files import MediaFiles
from node.media.images import MAX_BYTES
from node.media.proxy import MediaProxy, ProxyCache
from node.models import Media, Post
from node.services.media import MAX_ATTACHMENTS, MediaError, Upload

blueprint = Blueprint("media", __name__)

# The compose form: its body may carry four images; every other body stays under 1 MiB.
UPLOAD_PATHS = frozenset({"/posts"})
UPLOAD_BODY_LIMIT = MAX_ATTACHMENTS * MAX_BYTES + 1024 * 1024
TOO_LARGE = (f"The upload is too large: a post takes at most {MAX_ATTACHMENTS} images of "
             f"{MAX_BYTES // (1024 * 1024)} MiB each. Nothing was posted.")
MEDIA_CSP = "default-src 'none'; sandbox"
LOCAL_CACHE = "private, max-age=31536000, immutable"
PROXY_CACHE = "private, max-age=86400"


class UploadLimitRequest(Request):
    """Quart's request with the body cap chosen by route: MAX_CONTENT_LENGTH everywhere,
    UPLOAD_BODY_LIMIT for multipart forms posted to the upload routes. The cap must be set
    when the request is made: the body is read (and refused past its cap) before any view
    runs."""

    def __init__(self, method: str, scheme: str, path: str, query_string: bytes, headers, *args,
                 max_content_length: int | None = None, **kwargs) -> None:
        uploading = (method == "POST" and path in UPLOAD_PATHS
                     and headers.get("Content-Type", "").lower().startswith("multipart/form-data"))
        if uploading:
            max_content_length = UPLOAD_BODY_LIMIT
        super().__init__(method, scheme, path, query_string, headers, *args,
                         max_content_length=max_content_length, **kwargs)
        if uploading:
            self.max_content_length = UPLOAD_BODY_LIMIT  # the multipart parser reads this one


def media_files() -> MediaFiles:
    return MediaFiles(current_app.config["KITH_SETTINGS"].media_dir)


def _media_proxy() -> MediaProxy:
    proxy = current_app.config.get("KITH_MEDIA_PROXY")
    if proxy is None:  # made on first use: the transport exists only once the app serves
        cache = ProxyCache(current_app.config["KITH_SETTINGS"].media_dir / "proxy")
        proxy = current_app.config["KITH_MEDIA_PROXY"] = MediaProxy(current_app.config["KITH_RUNTIME"].transport, cache)
    return proxy


def _media_response(body: bytes, media_type: str, cache: str) -> Response:
    response = Response(body, 200, content_type=media_type)
    response.headers["Content-Security-Policy"] = MEDIA_CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = cache
    return response


@blueprint.get("/media/<name>")
async def media_file(name: str) -> Response:
    files = media_files()
    if files.path_of(name) is None:
        abort(404)
    media = await Media.filter(Q(file_name=name) | Q(thumbnail_name=name)).first()
    if media is None or (media.post_id and not await Post.exists(id=media.post_id, deleted_at=None)):
        abort(404)  # a deleted post's files answer as if they never were
    body = await asyncio.to_thread(files.read, name)
    if body is None:
        abort(404)
    media_type = media.media_type if name == media.file_name else "image/webp"
    return _media_response(body, media_type, LOCAL_CACHE)


@blueprint.get("/media/proxy/<signature>/<encoded>")
async def media_proxy(signature: str, encoded: str) -> Response:
    url = current_app.config["KITH_PROXY_URLS"].remote_url(signature, encoded)
    if url is None:
        abort(404)  # not an address this node made: no open relay
    try:
        media = await _media_proxy().media(url)
    except UnsafeURL:
        abort(403, description="The media is on an address this server does not contact.")
    except UnwantedContent:
        abort(415, description="The remote server did not answer with a picture, video or sound.")
    except TooLarge:
        abort(502, description="The remote media is larger than this server passes on.")
    except NotFound:
        abort(404)
    except FetchError:
        abort(502, description="The remote media could not be fetched.")
    response = _media_response(media.body, media.media_type, PROXY_CACHE)
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


# --- the compose form's uploads ----------------------------------------------------------

async def read_upload_form() -> None:
    """Read the upload form's body now, answering 413 with what the limits are when it is
    over them (nothing is kept: the body was not read)."""
    try:
        await request.form
    except RequestEntityTooLarge:
        abort(413, description=TOO_LARGE)


async def uploads_in_form() -> list[Upload]:
    """Return the images of the compose form, in order: file fields `media_<n>`, each with
    its description in `alt_<n>`. Empty file fields are skipped; raise MediaError when a
    file is over the size limit or there are more than MAX_ATTACHMENTS."""
    files, form = await request.files, await request.form
    uploads = []
    for field, storage in files.items(multi=True):
        data = storage.read(MAX_BYTES + 1)
        if not data:
            continue  # a file input left empty
        slot = field.removeprefix("media_")
        upload = Upload(data, form.get(f"alt_{slot}", ""), storage.filename or "")
        if len(data) > MAX_BYTES:
            raise MediaError(f"image {len(uploads) + 1} ({upload.filename}): an image may be at most "
                             f"{MAX_BYTES // (1024 * 1024)} MiB")
        uploads.append(upload)
    if len(uploads) > MAX_ATTACHMENTS:
        raise MediaError(f"a post may have at most {MAX_ATTACHMENTS} images, not {len(uploads)}")
    return uploads


async def descriptions_in_form() -> dict[str, str]:
    """Return the descriptions typed in the compose form, by slot ("1".."4"): kept when the
    post fails, so only the files need choosing again."""
    form = await request.form
    return {str(n): form.get(f"alt_{n}", "") for n in range(1, MAX_ATTACHMENTS + 1)}
