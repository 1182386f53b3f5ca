"""The media proxy's fetching and disk cache: every remote picture, video or sound a page
shows is fetched by this node (with the node's one HTTP transport and its SSRF guard) and
served from here, so a reader's browser never contacts the remote server and the reader's
address stays private.

Only image, video and audio types are taken. Never SVG, HTML or XML: they are documents,
not media; SVG can carry script and load further resources, and anything served from our
origin that a browser renders as a document would run with our origin's rights (read our
pages, post our forms). Pictures are also decoded only by the browser's image decoder,
which nosniff and the proxy's own CSP keep it to.

The cache lives in `<media dir>/proxy/`: one file per URL (named by its SHA-256), holding
the media type and the body, written atomically; entries older than MAX_AGE are fetched
again, and the directory is pruned, oldest first, to MAX_CACHE_BYTES. Several processes
may share it: the worst a race does is fetch something twice.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from federation.errors import FetchError, NotFound, UnwantedContent
from federation.transport import Transport

MAX_BYTES = 16 * 1024 * 1024
MAX_AGE = 7 * 24 * 3600  # seconds
MAX_CACHE_BYTES = 1024 * 1024 * 1024
ACCEPT = "image/*, video/*, audio/*;q=0.9"
_HEADER = b"kith-proxy-1\n"
_MEDIA_TYPE_RE = re.compile(r"^(image|video|audio)/[a-z0-9][a-z0-9.+-]{0,60}$")


def media_type_of(content_type: str) -> str | None:
    """Return the media type of a Content-Type header when the proxy may serve it: image,
    video or audio, never SVG nor anything XML or HTML; else None."""
    media_type = content_type.split(";", 1)[0].strip().lower()
    if not _MEDIA_TYPE_RE.match(media_type) or "xml" in media_type or "html" in media_type:
        return None
    if media_type.startswith("image/svg"):
        return None
    return media_type


def is_media(content_type: str) -> bool:
    return media_type_of(content_type) is not None


@dataclass(frozen=True)
class ProxiedMedia:
    media_type: str
    body: bytes


class ProxyCache:
    """Fetched media on disk, by URL. Synchronous: call from a worker thread."""

    def __init__(self, root: Path, max_bytes: int = MAX_CACHE_BYTES, max_age: float = MAX_AGE) -> None:
        self.root = root
        self.max_bytes = max_bytes
        self.max_age = max_age

    def _path(self, url: str) -> Path:
        return self.root / hashlib.sha256(url.encode()).hexdigest()

    def get(self, url: str) -> ProxiedMedia | None:
        """Return the cached media of `url`, or None when missing, stale or unreadable."""
        path = self._path(url)
        try:
            if time.time() - path.stat().st_mtime > self.max_age:
                return None
            raw = path.read_bytes()
        except OSError:
            return None
        if not raw.startswith(_HEADER) or b"\n" not in raw[len(_HEADER):]:
            return None
        media_type, body = raw[len(_HEADER):].split(b"\n", 1)
        return ProxiedMedia(media_type.decode("ascii", "replace"), body)

    def put(self, url: str, media: ProxiedMedia) -> None:
        """Keep `media` for `url`, then prune the cache to its size."""
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = self._path(url)
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
        try:
            tmp.write_bytes(_HEADER + media.media_type.encode("ascii") + b"\n" + media.body)
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
        self.prune()

    def prune(self) -> None:
        """Delete stale entries, then the oldest until the cache fits MAX_CACHE_BYTES."""
        entries, total, now = [], 0, time.time()
        for entry in os.scandir(self.root):
            try:
                stat = entry.stat()
            except FileNotFoundError:
                continue  # another process pruned it
            if now - stat.st_mtime > self.max_age and not entry.name.startswith("."):
                _unlink(entry.path)
                continue
            entries.append((stat.st_mtime, stat.st_size, entry.path))
            total += stat.st_size
        for _, size, path in sorted(entries):
            if total <= self.max_bytes:
                break
            _unlink(path)
            total -= size

    def size(self) -> int:
        """Return the bytes the cache holds (tests)."""
        return sum(e.stat().st_size for e in os.scandir(self.root)) if self.root.exists() else 0


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


class MediaProxy:
    """Fetches remote media through the node's transport, cached on disk; one fetch at a
    time per URL in this process (readers of one page ask for the same pictures at once)."""

    def __init__(self, transport: Transport, cache: ProxyCache) -> None:
        self._transport = transport
        self._cache = cache
        self._fetching: dict[str, asyncio.Task[ProxiedMedia]] = {}

    async def media(self, url: str) -> ProxiedMedia:
        """Return the media at `url`; raise the transport's FetchError subclasses (UnsafeURL,
        UnwantedContent, TooLarge, NotFound...) when it cannot or may not be served."""
        cached = await asyncio.to_thread(self._cache.get, url)
        if cached is not None:
            return cached
        task = self._fetching.get(url)
        if task is None:
            task = self._fetching[url] = asyncio.ensure_future(self._fetch(url))
            task.add_done_callback(lambda _: self._fetching.pop(url, None))
        return await asyncio.shield(task)

    async def _fetch(self, url: str) -> ProxiedMedia:
        response = await self._transport.get(url, accept=ACCEPT, max_body=MAX_BYTES, wants=is_media)
        if response.status in (404, 410):
            raise NotFound(f"{url} answered {response.status}")
        if response.status != 200:
            raise FetchError(f"{url} answered {response.status}")
        media_type = media_type_of(response.headers.get("Content-Type", ""))
        if media_type is None:  # `wants` checked it already; kept so no path skips the check
            raise UnwantedContent(f"{url} is not media")
        media = ProxiedMedia(media_type, response.body)
        await asyncio.to_thread(self._cache.put, url, media)
        return media
