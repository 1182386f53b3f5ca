"""Migration 7 (link cards) on a database that already has posts: the posts stay, with
link preview on, and cards can be attached to them."""

from __future__ import annotations

import shutil
from datetime import datetime, timezone

from tortoise import connections

import node.db
from node.db import migrate
from node.models import LinkCard, Post, PostLinkCard


async def test_migration_7__existing_posts_survive_with_link_preview_on(settings, tmp_path, monkeypatch, make_account):
    # Given a database migrated up to just before migration 7
    conn, every_migration = await migrated_before(7, settings, tmp_path, monkeypatch)
    # ...holding a post of alice's, written as the old schema has it
    alice = await make_account("alice")
    now = datetime.now(timezone.utc).isoformat()
    await conn.execute_query(
        'INSERT INTO "posts" ("id", "ap_id", "url", "author_id", "local", "visibility", "source", "content_html", '
        '"content_warning", "sensitive", "created_at") VALUES (42, \'http://x/users/alice/statuses/42\', \'\', '
        f"{alice.actor_id}, {_true(settings)}, 'public', 'old post', '<p>old post</p>', '', {_false(settings)}, '{now}')")
    # When migration 7 runs
    monkeypatch.setattr(node.db, "MIGRATIONS_DIR", every_migration)
    applied = await migrate(settings)
    # Then the post is there, unchanged, with link preview on, and can have a card
    assert [name.split("_")[0] for name in applied] == ["7"]
    post = await Post.get(id=42)
    assert (post.source, post.content_html, post.link_preview) == ("old post", "<p>old post</p>", True)
    card = await LinkCard.create(url="https://news.example/", next_try_at=datetime.now(timezone.utc))
    await PostLinkCard.create(post_id=post.id, card_id=card.id)


async def migrated_before(number: int, settings, tmp_path, monkeypatch):
    """Empty the schema and migrate it up to just before migration `number` (the `db` fixture
    migrated it whole); return the connection and the folder of every migration, to finish."""
    before = tmp_path / "migrations"
    (before / "models").mkdir(parents=True)
    for path in (node.db.MIGRATIONS_DIR / "models").glob("*.py"):
        if not path.name.startswith(f"{number}_"):
            shutil.copy(path, before / "models" / path.name)
    conn, every_migration = connections.get("default"), node.db.MIGRATIONS_DIR
    await _drop_everything(conn, settings)
    monkeypatch.setattr(node.db, "MIGRATIONS_DIR", before)
    await migrate(settings)
    return conn, every_migration


async def _drop_everything(conn, settings) -> None:
    if settings.is_sqlite:
        rows = await conn.execute_query_dict("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        await conn.execute_script("PRAGMA foreign_keys = OFF;" + "".join(f'DROP TABLE "{r["name"]}";' for r in rows)
                                  + "PRAGMA foreign_keys = ON;")
    else:
        await conn.execute_script("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")


def _true(settings) -> str:
    return "1" if settings.is_sqlite else "TRUE"


def _false(settings) -> str:
    return "0" if settings.is_sqlite else "FALSE"
