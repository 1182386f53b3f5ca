"""Edit history (post_edits), and an index to find replies that arrived before their parent.
SQL for both dialects: see 0_…_init.py."""

from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True

SQLITE = """
CREATE TABLE "post_edits" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "content_html" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "content_warning" TEXT NOT NULL,
    "sensitive" INT NOT NULL,
    "current_from" TIMESTAMP NOT NULL,
    "current_until" TIMESTAMP NOT NULL,
    "post_id" BIGINT NOT NULL REFERENCES "posts" ("id") ON DELETE CASCADE
) /* What `post` said from `current_from` until an edit replaced it at `current_until`. */;
CREATE INDEX "idx_post_edits_post_id_ac6814" ON "post_edits" ("post_id", "id");
CREATE INDEX "idx_posts_in_repl_d88715" ON "posts" ("in_reply_to_ap_id");
"""

POSTGRES = """
CREATE TABLE "post_edits" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "content_html" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "content_warning" TEXT NOT NULL,
    "sensitive" BOOL NOT NULL,
    "current_from" TIMESTAMPTZ NOT NULL,
    "current_until" TIMESTAMPTZ NOT NULL,
    "post_id" BIGINT NOT NULL REFERENCES "posts" ("id") ON DELETE CASCADE
);
CREATE INDEX "idx_post_edits_post_id_ac6814" ON "post_edits" ("post_id", "id");
COMMENT ON TABLE "post_edits" IS 'What `post` said from `current_from` until an edit replaced it at `current_until`.';
CREATE INDEX "idx_posts_in_repl_d88715" ON "posts" ("in_reply_to_ap_id");
"""


async def upgrade(db: BaseDBAsyncClient) -> str:
    return SQLITE if db.schema_generator.DIALECT == "sqlite" else POSTGRES


async def downgrade(db: BaseDBAsyncClient) -> str:
    return ""
