"""Boosts become posts (Mastodon's reblogs): `posts.boost_of_id`, one boost per booster and
post, and the rows of the old `boosts` table moved into `posts`; indexes to count a page's
replies (also a thread's replies in order) and likes.
SQL for both dialects: see 0_…_init.py.

A moved boost gets a post id made from its `created_at` exactly as node/ids.py makes one
(milliseconds << 16, then the microsecond within the millisecond << 6 and 6 random bits, or
16 random bits for a whole millisecond). Its addressing was never stored, so it starts as
narrow as the audience module starts inbound posts: direct (its booster alone sees the
row; it still counts as a boost). Its ap_id is the Announce's, or one made from the
booster's when there was none (or another post already has it).
"""

from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True

SCHEMA = """
ALTER TABLE "posts" ADD "boost_of_id" BIGINT REFERENCES "posts" ("id") ON DELETE CASCADE;
CREATE UNIQUE INDEX "uid_posts_boost_o_969088" ON "posts" ("boost_of_id", "author_id");
CREATE INDEX IF NOT EXISTS "idx_posts_in_repl_92c281" ON "posts" ("in_reply_to_id", "id");
CREATE INDEX "idx_favourites_post_id_7e8276" ON "favourites" ("post_id");
"""

# {us}: the boost's time in microseconds since the epoch; {random16}, {random6}: random bits.
MOVE_BOOSTS = """
INSERT INTO "posts" ("id", "ap_id", "url", "local", "visibility", "source", "content_html",
                     "content_warning", "sensitive", "created_at", "author_id", "boost_of_id")
SELECT ((t.us / 1000) << 16) | CASE WHEN t.us % 1000 = 0 THEN {random16}
                                    ELSE ((t.us % 1000) << 6) | {random6} END,
       CASE WHEN t.ap_id IS NULL OR EXISTS (SELECT 1 FROM "posts" p WHERE p."ap_id" = t.ap_id)
            THEN a."ap_id" || '#boosts/' || t.id ELSE t.ap_id END,
       '', a."local", 'direct', '', '', '', {false}, t.created_at, t.actor_id, t.post_id
FROM (SELECT b.*, {us} AS us FROM "boosts" b) t JOIN "actors" a ON a."id" = t.actor_id;
DROP TABLE "boosts";
"""

SQLITE = SCHEMA + MOVE_BOOSTS.format(
    # Tortoise writes SQLite times as "YYYY-MM-DD HH:MM:SS[.ffffff]+00:00".
    us="CAST(strftime('%s', b.\"created_at\") AS INTEGER) * 1000000 + CASE WHEN instr(b.\"created_at\", '.') > 0 "
       "THEN CAST(substr(b.\"created_at\", instr(b.\"created_at\", '.') + 1, 6) AS INTEGER) ELSE 0 END",
    random16="(abs(random()) % 65536)", random6="(abs(random()) % 64)", false="0",
)

POSTGRES = SCHEMA + MOVE_BOOSTS.format(
    # EXTRACT(EPOCH ...) is numeric (exact) since PostgreSQL 14.
    us="CAST(round(EXTRACT(EPOCH FROM b.\"created_at\") * 1000000) AS BIGINT)",
    random16="CAST(floor(random() * 65536) AS BIGINT)", random6="CAST(floor(random() * 64) AS BIGINT)",
    false="FALSE",
)


async def upgrade(db: BaseDBAsyncClient) -> str:
    return SQLITE if db.schema_generator.DIALECT == "sqlite" else POSTGRES


async def downgrade(db: BaseDBAsyncClient) -> str:
    return ""
