"""Migrations build the whole schema on an empty SQLite and an empty PostgreSQL database,
and a second run applies nothing."""

from __future__ import annotations

import uuid

import pytest
from tortoise import connections

from node.db import close_database, migrate, open_database
from node.models import Post
from node.settings import load_settings
from tests.rig.database import create_database, drop_database, postgres_url

TABLES = {"actors", "accounts", "sessions", "posts", "mentions", "tags", "follows", "blocks", "aerich"}


async def table_names(settings) -> set[str]:
    conn = connections.get("default")
    if settings.is_sqlite:
        rows = await conn.execute_query_dict("SELECT name FROM sqlite_master WHERE type = 'table'")
        return {r["name"] for r in rows}
    rows = await conn.execute_query_dict("SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'")
    return {r["name"] for r in rows}


async def check_fresh_database(settings):
    await open_database(settings)
    try:
        applied = await migrate(settings)
        assert applied and applied[0].startswith("0_")
        assert TABLES <= await table_names(settings)
        assert await migrate(settings) == []
        assert await Post.all().count() == 0
    finally:
        await close_database()


async def test_migrations__on_an_empty_sqlite_database(tmp_path):
    settings = load_settings({"KITH_DATA_DIR": str(tmp_path), "DATABASE_URL": f"sqlite://{tmp_path}/fresh.sqlite3"})
    await check_fresh_database(settings)
    await open_database(settings)
    try:
        mode = await connections.get("default").execute_query_dict("PRAGMA journal_mode")
        assert mode[0]["journal_mode"] == "wal"
        sync = await connections.get("default").execute_query_dict("PRAGMA synchronous")
        assert sync[0]["synchronous"] == 1  # NORMAL
    finally:
        await close_database()


@pytest.mark.skipif(not postgres_url(), reason="DATABASE_URL does not name a PostgreSQL database")
async def test_migrations__on_an_empty_postgresql_database(tmp_path):
    url = postgres_url().rsplit("/", 1)[0] + f"/kith_migrate_{uuid.uuid4().hex[:8]}"
    await create_database(url)
    try:
        await check_fresh_database(load_settings({"KITH_DATA_DIR": str(tmp_path), "DATABASE_URL": url}))
    finally:
        await drop_database(url)
