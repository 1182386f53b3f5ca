"""Our media files on disk: `<media dir>/local/<name>`, one file per upload and one per
thumbnail, named by 24 random bytes so a file's address cannot be guessed (it is shared
with the servers that receive the post, never listed anywhere).

Writes are atomic (a temporary file, then a rename), so a reader never sees half a file.
Synchronous: callers run these in a worker thread.
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

# 32 URL-safe characters (24 random bytes), a suffix for the thumbnail, an extension.
NAME_RE = re.compile(r"^[A-Za-z0-9_-]{32}(?:-t)?\.(?:jpg|png|webp|gif)$")


def new_name(extension: str, *, thumbnail: bool = False) -> str:
    """Return a fresh unguessable file name with `extension`."""
    return secrets.token_urlsafe(24) + ("-t" if thumbnail else "") + "." + extension


def thumbnail_name_for(name: str) -> str:
    """Return the name of the thumbnail (always WebP) of the upload `name`."""
    return name.rsplit(".", 1)[0] + "-t.webp"


class MediaFiles:
    """The directory of our uploads."""

    def __init__(self, media_dir: Path) -> None:
        self.root = media_dir / "local"

    def path_of(self, name: str) -> Path | None:
        """Return the path of the file `name`, or None when it is not a name we give."""
        return self.root / name if NAME_RE.match(name) else None

    def write(self, name: str, data: bytes) -> None:
        """Store `data` as `name` (readable by this user only)."""
        path = self.path_of(name)
        if path is None:
            raise ValueError(f"not a media file name: {name!r}")
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        tmp = path.with_name(f".{name}.{secrets.token_hex(4)}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def read(self, name: str) -> bytes | None:
        """Return the contents of `name`, or None when there is no such file."""
        path = self.path_of(name)
        try:
            return path.read_bytes() if path else None
        except FileNotFoundError:
            return None

    def remove(self, names: list[str]) -> None:
        """Delete the files `names` (those already gone are skipped)."""
        for name in names:
            path = self.path_of(name)
            if path is not None:
                path.unlink(missing_ok=True)

    def names(self) -> list[str]:
        """Return the names of every stored file (tests and housekeeping)."""
        if not self.root.exists():
            return []
        return sorted(p.name for p in self.root.iterdir() if NAME_RE.match(p.name))
