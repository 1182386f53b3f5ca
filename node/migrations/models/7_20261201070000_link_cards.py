"""Link preview cards (one per URL, shared by the posts that link it), which post shows
which card, and the author's choice per post. SQL for both dialects: see 0_…_init.py.
Existing posts keep their rows and get link_preview on (they had no cards before)."""

from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True

SQLITE = """
CREATE TABLE "link_cards" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "url" VARCHAR(1024) NOT NULL UNIQUE,
    "state" VARCHAR(16) NOT NULL,
    "title" VARCHAR(300) NOT NULL,
    "description" VARCHAR(500) NOT NULL,
    "site_name" VARCHAR(100) NOT NULL,
    "image_url" VARCHAR(2000),
    "error" VARCHAR(200) NOT NULL,
    "fetched_at" TIMESTAMP,
    "next_try_at" TIMESTAMP NOT NULL,
    "locked_until" TIMESTAMP
) /* What the page at `url` said about itself when last fetched. */;
CREATE INDEX "idx_link_cards_state_a1f27e" ON "link_cards" ("state", "next_try_at");
CREATE TABLE "post_link_cards" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "card_id" BIGINT NOT NULL REFERENCES "link_cards" ("id") ON DELETE CASCADE,
    "post_id" BIGINT NOT NULL UNIQUE REFERENCES "posts" ("id") ON DELETE CASCADE
) /* The card of the first link of `post` (at most one per post). */;
ALTER TABLE "posts" ADD "link_preview" INT NOT NULL DEFAULT 1;
"""

POSTGRES = """
CREATE TABLE "link_cards" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "url" VARCHAR(1024) NOT NULL UNIQUE,
    "state" VARCHAR(16) NOT NULL,
    "title" VARCHAR(300) NOT NULL,
    "description" VARCHAR(500) NOT NULL,
    "site_name" VARCHAR(100) NOT NULL,
    "image_url" VARCHAR(2000),
    "error" VARCHAR(200) NOT NULL,
    "fetched_at" TIMESTAMPTZ,
    "next_try_at" TIMESTAMPTZ NOT NULL,
    "locked_until" TIMESTAMPTZ
);
CREATE INDEX "idx_link_cards_state_a1f27e" ON "link_cards" ("state", "next_try_at");
COMMENT ON TABLE "link_cards" IS 'What the page at `url` said about itself when last fetched.';
CREATE TABLE "post_link_cards" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "card_id" BIGINT NOT NULL REFERENCES "link_cards" ("id") ON DELETE CASCADE,
    "post_id" BIGINT NOT NULL UNIQUE REFERENCES "posts" ("id") ON DELETE CASCADE
);
COMMENT ON TABLE "post_link_cards" IS 'The card of the first link of `post` (at most one per post).';
ALTER TABLE "posts" ADD "link_preview" BOOL NOT NULL DEFAULT TRUE;
"""


async def upgrade(db: BaseDBAsyncClient) -> str:
    return SQLITE if db.schema_generator.DIALECT == "sqlite" else POSTGRES


async def downgrade(db: BaseDBAsyncClient) -> str:
    return ""
