"""Settings from the environment, with an optional TOML file: read once, passed in, frozen.

Nothing here runs at import. A bad value raises `SettingsError` whose message is one line
naming the setting and what is wrong with it.
"""

from __future__ import annotations

import ipaddress
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping
from urllib.parse import urlsplit

DEFAULT_BASE_URL = "http://localhost:8000"
SYNCHRONOUS_MODES = ("OFF", "NORMAL", "FULL", "EXTRA")


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names it."""


@dataclass(frozen=True)
class Settings:
    base_url: str  # public origin, no trailing slash: https://example.org
    data_dir: Path
    database_url: str
    max_post_chars: int = 5000
    # WAL with synchronous=NORMAL survives process crashes; a power cut may lose the last
    # commits. FULL is safer and about half as fast when two processes write.
    sqlite_synchronous: str = "NORMAL"
    registrations_open: bool = False
    # Outgoing requests to private, loopback and link-local addresses (tests, local trials).
    allow_private_addresses: bool = False
    signature_max_skew_hours: int = 12
    # Test hosts mapped to loopback ports ("remote.test=127.0.0.1:8001,..."), for the fake
    # fediverse only; honoured only together with allow_private_addresses.
    test_host_map: tuple[tuple[str, str, int], ...] = ()
    # Send a Server-Timing header with every response (benchmarks; off in production).
    server_timing: bool = False

    @property
    def host(self) -> str:
        """The host (with a port when not the default one) that names our accounts."""
        return urlsplit(self.base_url).netloc

    @property
    def secure_cookies(self) -> bool:
        return self.base_url.startswith("https://")

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite://")

    @property
    def secret_path(self) -> Path:
        return self.data_dir / "secret.key"

    @property
    def instance_key_path(self) -> Path:
        return self.data_dir / "instance-key.pem"

    @property
    def media_dir(self) -> Path:
        return self.data_dir / "media"


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Return settings from `env` (default: os.environ) and the TOML file it may name."""
    env = dict(os.environ if env is None else env)
    values = _toml_values(env.get("KITH_CONFIG"))
    values.update({k: v for k, v in env.items() if k.startswith("KITH_") or k == "DATABASE_URL"})

    base_url = _base_url(values.get("KITH_BASE_URL", DEFAULT_BASE_URL))
    data_dir = Path(values.get("KITH_DATA_DIR", "./data")).expanduser().absolute()
    database_url = _database_url(values.get("DATABASE_URL"), data_dir)
    return Settings(
        base_url=base_url,
        data_dir=data_dir,
        database_url=database_url,
        max_post_chars=_positive_int(values, "KITH_MAX_POST_CHARS", 5000),
        sqlite_synchronous=_choice(values, "KITH_SQLITE_SYNCHRONOUS", "NORMAL", SYNCHRONOUS_MODES),
        registrations_open=_flag(values, "KITH_REGISTRATIONS_OPEN"),
        allow_private_addresses=_flag(values, "KITH_ALLOW_PRIVATE_ADDRESSES"),
        signature_max_skew_hours=_positive_int(values, "KITH_SIGNATURE_MAX_SKEW_HOURS", 12),
        test_host_map=_host_map(values),
        server_timing=_flag(values, "KITH_SERVER_TIMING"),
    )


def _toml_values(path: str | None) -> dict[str, str]:
    """Return the settings in the TOML file at `path`, keyed like the environment."""
    if not path:
        return {}
    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except OSError as e:
        raise SettingsError(f"KITH_CONFIG: cannot read {path}: {e.strerror}") from None
    except tomllib.TOMLDecodeError as e:
        raise SettingsError(f"KITH_CONFIG: {path} is not valid TOML: {e}") from None
    # Keys may be written as in the environment (KITH_BASE_URL) or short (base_url).
    values = {}
    for key, value in data.items():
        name = key.upper()
        if name != "DATABASE_URL" and not name.startswith("KITH_"):
            name = "KITH_" + name
        values[name] = str(value).lower() if isinstance(value, bool) else str(value)
    return values


def _base_url(raw: str) -> str:
    parts = urlsplit(raw.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SettingsError(f"KITH_BASE_URL: {raw!r} is not an http(s) origin like https://example.org")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise SettingsError(f"KITH_BASE_URL: {raw!r} must be an origin, without a path")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise SettingsError(
            f"KITH_BASE_URL: {raw!r} uses http; only localhost or 127.0.0.1 may (use https)"
        )
    try:
        parts.port
    except ValueError:
        raise SettingsError(f"KITH_BASE_URL: {raw!r} has a bad port") from None
    return f"{parts.scheme}://{parts.netloc.lower()}"


def _is_loopback(hostname: str) -> bool:
    if hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(hostname).is_loopback
    except ValueError:
        return False


def _database_url(raw: str | None, data_dir: Path) -> str:
    if not raw:
        return f"sqlite://{data_dir / 'kith.sqlite3'}"
    parts = urlsplit(raw)
    if parts.scheme == "sqlite":
        if not (parts.netloc or parts.path):
            raise SettingsError(f"DATABASE_URL: {raw!r} names no SQLite file")
        return raw
    if parts.scheme in ("postgres", "postgresql"):
        if not parts.hostname or not parts.path.strip("/"):
            raise SettingsError(
                f"DATABASE_URL: {raw!r} needs a host and a database, like postgres://user@host/kith"
            )
        try:
            parts.port
        except ValueError:
            raise SettingsError(f"DATABASE_URL: {raw!r} has a bad port") from None
        return "postgres://" + raw.split("://", 1)[1]
    raise SettingsError(f"DATABASE_URL: {raw!r} is neither sqlite://… nor postgres://…")


def _host_map(values: Mapping[str, str]) -> tuple[tuple[str, str, int], ...]:
    raw = values.get("KITH_TEST_HOST_MAP", "").strip()
    if not raw:
        return ()
    if not _flag(values, "KITH_ALLOW_PRIVATE_ADDRESSES"):
        raise SettingsError("KITH_TEST_HOST_MAP: only with KITH_ALLOW_PRIVATE_ADDRESSES=1 (tests)")
    entries = []
    for item in raw.split(","):
        host, _, target = item.strip().partition("=")
        address, _, port = target.rpartition(":")
        if not host or not port.isdigit() or not _is_loopback(address):
            raise SettingsError(f"KITH_TEST_HOST_MAP: {item!r} is not host=127.0.0.1:PORT")
        entries.append((host.lower(), address, int(port)))
    return tuple(entries)


def _positive_int(values: Mapping[str, str], name: str, default: int) -> int:
    raw = values.get(name)
    if raw is None:
        return default
    try:
        number = int(raw)
    except ValueError:
        raise SettingsError(f"{name}: {raw!r} is not a whole number") from None
    if number <= 0:
        raise SettingsError(f"{name}: must be above zero, not {number}")
    return number


def _choice(values: Mapping[str, str], name: str, default: str, choices: tuple[str, ...]) -> str:
    raw = values.get(name, default).upper()
    if raw not in choices:
        raise SettingsError(f"{name}: {raw!r} is not one of {', '.join(choices)}")
    return raw


def _flag(values: Mapping[str, str], name: str) -> bool:
    raw = values.get(name, "false").strip().lower()
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off", ""):
        return False
    raise SettingsError(f"{name}: {raw!r} is not true or false")
