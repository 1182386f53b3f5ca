"""Media attachments (ours with their files, remote ones as metadata) and the custom emoji
of remote posts and names. New tables only: existing rows are untouched.
SQL for both dialects: see 0_…_init.py."""

from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True

SQLITE = """
CREATE TABLE "media" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "position" SMALLINT NOT NULL,
    "file_name" VARCHAR(64) UNIQUE,
    "thumbnail_name" VARCHAR(64) UNIQUE,
    "remote_url" VARCHAR(1024),
    "media_type" VARCHAR(64) NOT NULL,
    "width" INT,
    "height" INT,
    "blurhash" VARCHAR(64),
    "description" TEXT NOT NULL,
    "created_at" TIMESTAMP NOT NULL,
    "owner_id" BIGINT NOT NULL REFERENCES "actors" ("id") ON DELETE CASCADE,
    "post_id" BIGINT REFERENCES "posts" ("id") ON DELETE CASCADE
) /* One attachment: ours (`file_name` set) or another server's (`remote_url` set). */;
CREATE INDEX "idx_media_post_id_87a63f" ON "media" ("post_id", "position");
CREATE TABLE "custom_emojis" (
    "id" INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    "shortcode" VARCHAR(64) NOT NULL,
    "icon_url" VARCHAR(1024) NOT NULL,
    "actor_id" BIGINT REFERENCES "actors" ("id") ON DELETE CASCADE,
    "post_id" BIGINT REFERENCES "posts" ("id") ON DELETE CASCADE
) /* A custom emoji a remote post (`post`) or a remote actor's name (`actor`) uses: */;
CREATE INDEX "idx_custom_emoj_post_id_becec6" ON "custom_emojis" ("post_id");
CREATE INDEX "idx_custom_emoj_actor_i_9ed416" ON "custom_emojis" ("actor_id");
"""

POSTGRES = """
CREATE TABLE "media" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "position" SMALLINT NOT NULL,
    "file_name" VARCHAR(64) UNIQUE,
    "thumbnail_name" VARCHAR(64) UNIQUE,
    "remote_url" VARCHAR(1024),
    "media_type" VARCHAR(64) NOT NULL,
    "width" INT,
    "height" INT,
    "blurhash" VARCHAR(64),
    "description" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL,
    "owner_id" BIGINT NOT NULL REFERENCES "actors" ("id") ON DELETE CASCADE,
    "post_id" BIGINT REFERENCES "posts" ("id") ON DELETE CASCADE
);
CREATE INDEX "idx_media_post_id_87a63f" ON "media" ("post_id", "position");
COMMENT ON TABLE "media" IS 'One attachment: ours (`file_name` set) or another server''s (`remote_url` set).';
CREATE TABLE "custom_emojis" (
    "id" BIGSERIAL NOT NULL PRIMARY KEY,
    "shortcode" VARCHAR(64) NOT NULL,
    "icon_url" VARCHAR(1024) NOT NULL,
    "actor_id" BIGINT REFERENCES "actors" ("id") ON DELETE CASCADE,
    "post_id" BIGINT REFERENCES "posts" ("id") ON DELETE CASCADE
);
CREATE INDEX "idx_custom_emoj_post_id_becec6" ON "custom_emojis" ("post_id");
CREATE INDEX "idx_custom_emoj_actor_i_9ed416" ON "custom_emojis" ("actor_id");
COMMENT ON TABLE "custom_emojis" IS 'A custom emoji a remote post (`post`) or a remote actor''s name (`actor`) uses:';
"""


async def upgrade(db: BaseDBAsyncClient) -> str:
    return SQLITE if db.schema_generator.DIALECT == "sqlite" else POSTGRES


async def downgrade(db: BaseDBAsyncClient) -> str:
    return ""
