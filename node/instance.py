"""The data directory: created mode 0700 on first run with the instance secret and the
instance actor's key pair. Idempotent: files that exist are kept."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from federation.keys import generate_key_pair
from node.settings import Settings, SettingsError


def prepare_data_dir(settings: Settings) -> bytes:
    """Create what is missing in the data directory; return the instance secret."""
    try:
        settings.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        settings.media_dir.mkdir(mode=0o700, exist_ok=True)
        if not settings.secret_path.exists():
            _write_private(settings.secret_path, secrets.token_hex(32))
        if not settings.instance_key_path.exists():
            _write_private(settings.instance_key_path, generate_key_pair().private_pem)
        return settings.secret_path.read_text().strip().encode()
    except OSError as e:
        raise SettingsError(f"KITH_DATA_DIR: cannot prepare {settings.data_dir}: {e.strerror}") from None


def _write_private(path: Path, text: str) -> None:
    """Write `text` readable by the owner only; never leave a half-written file behind."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.replace(tmp, path)
