"""The database: Tortoise configuration, opening and closing, and migrations (aerich)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tortoise import Tortoise, connections
from tortoise.backends.base.executor import EXECUTOR_CACHE

from node.settings import Settings, load_settings

MODEL_MODULES = ["node.models", "federation.models", "aerich.models"]
MIGRATIONS_DIR = Path(__file__).parent / "migrations"


class DatabaseError(RuntimeError):
    """The database could not be opened or migrated; the message says why in one line."""


def tortoise_config(settings: Settings) -> dict[str, Any]:
    """Return the Tortoise configuration for `settings.database_url`."""
    if settings.is_sqlite:
        path = settings.database_url.removeprefix("sqlite://")
        connection: dict[str, Any] = {
            "engine": "tortoise.backends.sqlite",
            "credentials": {
                "file_path": path,
                "journal_mode": "WAL",
                "synchronous": settings.sqlite_synchronous,
                # Several processes share the file: wait for a writer instead of failing.
                "busy_timeout": 5000,
                "foreign_keys": "ON",
            },
        }
    else:
        connection = {"engine": "tortoise.backends.asyncpg", "credentials": _pg_credentials(settings)}
    return {
        "connections": {"default": connection},
        "apps": {"models": {"models": MODEL_MODULES, "default_connection": "default"}},
        "use_tz": True,
        "timezone": "UTC",
    }


def _pg_credentials(settings: Settings) -> dict[str, Any]:
    from tortoise.backends.base.config_generator import expand_db_url

    credentials = expand_db_url(settings.database_url)["credentials"]
    credentials["reset"] = _keep_session  # no RESET ALL round trip on every pool release
    return credentials


async def _keep_session(connection: Any) -> None:
    """asyncpg's pool reset hook: Kith sets no session state, advisory locks or listeners,
    so the default reset (a round trip of RESET ALL, UNLISTEN, CLOSE ALL) buys nothing."""


async def open_database(settings: Settings) -> None:
    """Connect Tortoise to the database for every task of this process."""
    if settings.is_sqlite:
        Path(settings.database_url.removeprefix("sqlite://")).parent.mkdir(
            parents=True, exist_ok=True, mode=0o700
        )
    # Quart serves requests in tasks other than the one that ran before_serving: the global
    # fallback lets every task see this context (tortoise's Quart helper does not, under
    # Hypercorn, in tortoise-orm 1.1.9).
    # Tortoise caches prepared INSERTs per connection name, not per database: a process that
    # opens SQLite and later PostgreSQL (the test suite does) would send '?' placeholders.
    EXECUTOR_CACHE.clear()
    try:
        await Tortoise.init(config=tortoise_config(settings), _enable_global_fallback=True)
        await connections.get("default").execute_query("SELECT 1")
    except Exception as e:  # asyncpg and sqlite raise many kinds; report one line
        await close_database()
        raise DatabaseError(f"DATABASE_URL: cannot open the database: {_reason(e)}") from e


async def close_database() -> None:
    """Close every connection Tortoise holds (safe to call when none is open)."""
    await Tortoise.close_connections()


async def migrate(settings: Settings) -> list[str]:
    """Apply the migrations not yet applied; return their names. The database must be open."""
    from aerich import Command
    from aerich.migrate import Migrate

    command = Command(tortoise_config(settings), app="models", location=str(MIGRATIONS_DIR))
    await Migrate.init(command.tortoise_config, command.app, command.location)
    try:
        return await command.upgrade(run_in_transaction=True)
    except Exception as e:
        raise DatabaseError(f"migration failed: {_reason(e)}") from e


async def is_healthy() -> bool:
    """Return whether the database answers a trivial query."""
    try:
        await connections.get("default").execute_query("SELECT 1")
        return True
    except Exception:
        return False


def _reason(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return text[0] if text else type(e).__name__


# For the aerich command line (`aerich migrate` when a model changes).
def _aerich_config() -> dict[str, Any]:
    return tortoise_config(load_settings())
