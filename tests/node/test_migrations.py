"""Migrations build the whole schema on an empty SQLite and an empty PostgreSQL database,
and a second run applies nothing."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

import pytest
from tortoise import connections

from node.db import close_database, migrate, open_database
from node.models import Post
from node.settings import load_settings
from tests.rig.database import create_database, drop_database, postgres_url

TABLES = {"actors", "accounts", "sessions", "posts", "mentions", "tags", "follows", "blocks", "aerich",
          "inbox_items", "deliveries", "delivered_to", "host_health", "remote_keys", "domain_blocks",
          "favourites", "notifications", "polls", "poll_options", "poll_votes", "link_cards",
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


async def test_migration_3__existing_boosts_become_posts(tmp_path, monkeypatch):
    # Given a database migrated up to 2, holding a post and two remote actors' boosts of it
    import shutil

    import node.db

    url = postgres_url()
    if url:
        url = url.rsplit("/", 1)[0] + f"/kith_boosts_{uuid.uuid4().hex[:8]}"
        await create_database(url)
    else:
        url = f"sqlite://{tmp_path}/boosts.db"
    every, early = node.db.MIGRATIONS_DIR, tmp_path / "migrations"
    (early / "models").mkdir(parents=True)
    for path in (every / "models").glob("[012]_*.py"):
        shutil.copy(path, early / "models" / path.name)
    settings = load_settings({"KITH_DATA_DIR": str(tmp_path), "DATABASE_URL": url})
    await open_database(settings)
    try:
        monkeypatch.setattr(node.db, "MIGRATIONS_DIR", early)
        await migrate(settings)
        conn = connections.get("default")
        no = "0" if settings.is_sqlite else "FALSE"
        await conn.execute_script(f"""
            INSERT INTO actors (id, ap_id, actor_type, username, domain, local, display_name, summary_html, url,
                inbox, outbox, followers_url, following_url, featured_url, public_key_id, public_key_pem,
                locked, discoverable, created_at, changed_at)
            VALUES (1, 'https://remote.test/users/carol', 'Person', 'carol', 'remote.test', {no}, '', '', '', '', '',
                '', '', '', '', '', {no}, {no}, '2026-11-25 10:00:00+00:00', '2026-11-25 10:00:00+00:00'),
                (2, 'https://other.test/users/dave', 'Person', 'dave', 'other.test', {no}, '', '', '', '', '',
                '', '', '', '', '', {no}, {no}, '2026-11-25 10:00:00+00:00', '2026-11-25 10:00:00+00:00');
            INSERT INTO posts (id, ap_id, url, local, visibility, source, content_html, content_warning, sensitive,
                created_at, author_id)
            VALUES (7, 'https://remote.test/users/carol/statuses/7', '', {no}, 'public', '', '<p>hi</p>', '', {no},
                '2026-11-25 10:00:00+00:00', 1);
            INSERT INTO boosts (id, ap_id, created_at, actor_id, post_id)
            VALUES (1, 'https://remote.test/users/carol/statuses/8/activity', '2026-11-25 11:00:00.123456+00:00', 1, 7),
                   (2, NULL, '2026-11-25 12:00:00+00:00', 2, 7);
        """)
        # When the remaining migrations run
        monkeypatch.setattr(node.db, "MIGRATIONS_DIR", every)
        applied = await migrate(settings)
        # Then each boost is a post of its booster, its id made from its time as node.ids makes one
        assert applied[0].startswith("3_")
        assert "boosts" not in await table_names(settings)
        rows = await Post.filter(boost_of_id=7).order_by("id")
        assert [(p.author_id, p.visibility.value, p.content_html) for p in rows] == [(1, "direct", ""), (2, "direct", "")]
        at = datetime(2026, 11, 25, 11, 0, 0, 123456, tzinfo=timezone.utc)
        assert rows[0].id >> 16 == int(at.timestamp() * 1000) and (rows[0].id >> 6) & 1023 == 456
        assert rows[0].ap_id == "https://remote.test/users/carol/statuses/8/activity"
        assert rows[0].created_at == at
        assert rows[1].id >> 16 == int(datetime(2026, 11, 25, 12, tzinfo=timezone.utc).timestamp() * 1000)
        assert rows[1].ap_id == "https://other.test/users/dave#boosts/2"
    finally:
        await close_database()
        if not settings.is_sqlite:
            await drop_database(url)
