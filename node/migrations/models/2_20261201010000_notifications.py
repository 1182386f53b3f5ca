"""Notifications, and the watermark of the ones an account has seen.
SQL for both dialects: see 0_…_init.py."""

from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True

SQLITE = """
CREATE TABLE "notifications" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "kind" VARCHAR(16) NOT NULL,
    "created_at" TIMESTAMP NOT NULL,
    "account_id" BIGINT NOT NULL REFERENCES "accounts" ("id") ON DELETE CASCADE,
    "from_actor_id" BIGINT REFERENCES "actors" ("id") ON DELETE CASCADE,
    "post_id" BIGINT REFERENCES "posts" ("id") ON DELETE CASCADE
) /* `account` hears that `from_actor` did `kind` (about `post`, when there is one). */;
CREATE INDEX "idx_notificatio_account_f14d6c" ON "notifications" ("account_id", "id");
ALTER TABLE "accounts" ADD "notifications_seen_id" BIGINT NOT NULL DEFAULT 0;
"""

POSTGRES = """
CREATE TABLE "notifications" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "kind" VARCHAR(16) NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL,
    "account_id" BIGINT NOT NULL REFERENCES "accounts" ("id") ON DELETE CASCADE,
    "from_actor_id" BIGINT REFERENCES "actors" ("id") ON DELETE CASCADE,
    "post_id" BIGINT REFERENCES "posts" ("id") ON DELETE CASCADE
);
CREATE INDEX "idx_notificatio_account_f14d6c" ON "notifications" ("account_id", "id");
COMMENT ON TABLE "notifications" IS '`account` hears that `from_actor` did `kind` (about `post`, when there is one).';
ALTER TABLE "accounts" ADD "notifications_seen_id" BIGINT NOT NULL DEFAULT 0;
"""


async def upgrade(db: BaseDBAsyncClient) -> str:
    return SQLITE if db.schema_generator.DIALECT == "sqlite" else POSTGRES


async def downgrade(db: BaseDBAsyncClient) -> str:
    return ""
