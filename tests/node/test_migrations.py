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

TABLES = {"actors", "accounts", "sessions", "posts", "mentions", "tags", "follows", "blocks", "aerich",
          "inbox_items", "deliveries", "delivered_to", "host_health", "remote_keys", "domain_blocks",
          "favourites", "boosts", "notifications", "polls", "poll_options", "poll_votes", "link_cards",
          "post_link_cards", "media", "custom_emojis", "post_edits"}


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


async def columns_by_table(settings) -> dict[str, set[str]]:
    conn = connections.get("default")
    tables = await table_names(settings) - {"aerich", "sqlite_sequence"}
    result = {}
    for table in tables:
        if settings.is_sqlite:
            rows = await conn.execute_query_dict(f'PRAGMA table_info("{table}")')
            result[table] = {(r["name"], bool(r["notnull"])) for r in rows}
        else:
            rows = await conn.execute_query_dict(
                "SELECT column_name AS name, is_nullable FROM information_schema.columns WHERE table_name = $1",
                [table])
            result[table] = {(r["name"], r["is_nullable"] == "NO") for r in rows}
    return result


async def test_migrations__build_the_schema_the_models_describe(tmp_path):
    # Given one database built by the migrations and one built straight from the models
    from tortoise import Tortoise

    url = postgres_url()
    if url:
        migrated_url = url.rsplit("/", 1)[0] + f"/kith_mig_{uuid.uuid4().hex[:8]}"
        modelled_url = url.rsplit("/", 1)[0] + f"/kith_mod_{uuid.uuid4().hex[:8]}"
        await create_database(migrated_url)
        await create_database(modelled_url)
    else:
        migrated_url, modelled_url = f"sqlite://{tmp_path}/migrated.db", f"sqlite://{tmp_path}/modelled.db"
    try:
        migrated = load_settings({"KITH_DATA_DIR": str(tmp_path), "DATABASE_URL": migrated_url})
        modelled = load_settings({"KITH_DATA_DIR": str(tmp_path), "DATABASE_URL": modelled_url})
        await open_database(migrated)
        try:
            await migrate(migrated)
            from_migrations = await columns_by_table(migrated)
        finally:
            await close_database()
        await open_database(modelled)
        try:
            await Tortoise.generate_schemas()
            from_models = await columns_by_table(modelled)
        finally:
            await close_database()
        # Then every table has the same columns, nullability included
        assert from_migrations == from_models
    finally:
        if url:
            await drop_database(migrated_url)
            await drop_database(modelled_url)
