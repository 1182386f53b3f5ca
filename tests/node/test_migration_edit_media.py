"""Migration 9 (what earlier versions had attached) on a database that already has edited
posts: the versions stay, their media unknown (not "none") and not marked as changed, and the
history page still shows them."""

from __future__ import annotations

from datetime import datetime, timezone

import node.db
from node.db import migrate
from node.models import PostEdit
from tests.node.test_migration_link_cards import _false, _true, migrated_before


async def test_migration_9__earlier_versions_survive_with_media_unknown(settings, tmp_path, monkeypatch, make_account,
                                                                        browser):
    # Given a database migrated up to just before migration 9
    conn, every_migration = await migrated_before(9, settings, tmp_path, monkeypatch)
    # ...holding alice's edited post and its earlier version, written as the old schema has it
    alice = await make_account("alice")
    now = datetime.now(timezone.utc).isoformat()
    await conn.execute_query(
        'INSERT INTO "posts" ("id", "ap_id", "url", "author_id", "local", "visibility", "source", "content_html", '
        '"content_warning", "sensitive", "created_at", "edited_at", "link_preview") VALUES (42, '
        f"'http://x/users/alice/statuses/42', 'http://x/@alice/42', {alice.actor_id}, {_true(settings)}, 'public', "
        f"'new words', '<p>new words</p>', '', {_false(settings)}, '{now}', '{now}', {_true(settings)})")
    await conn.execute_query(
        'INSERT INTO "post_edits" ("post_id", "content_html", "source", "content_warning", "sensitive", '
        f"\"current_from\", \"current_until\") VALUES (42, '<p>old words</p>', 'old words', '', {_false(settings)}, "
        f"'{now}', '{now}')")
    # When migration 9 runs
    monkeypatch.setattr(node.db, "MIGRATIONS_DIR", every_migration)
    applied = await migrate(settings)
    # Then the version is there, its media not known and not said to have changed
    assert [name.split("_")[0] for name in applied] == ["9"]
    [version] = await PostEdit.filter(post_id=42)
    assert (version.source, version.media, version.media_changed) == ("old words", None, False)
    # And the history page shows it, saying nothing of media it does not know
    body = await (await (await browser(None)).get("/@alice/42/history")).get_data(as_text=True)
    assert "old words" in body and "Changed by the next edit: text." in body and "version-media" not in body
