"""What an earlier version of a post had attached (post_edits.media, as descriptions) and
whether the edit that ended it changed the attachments. SQL for both dialects: see
0_…_init.py. Versions kept before this migration get no media (not known) and no change."""

from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True

SQLITE = """
ALTER TABLE "post_edits" ADD "media" JSON;
ALTER TABLE "post_edits" ADD "media_changed" INT NOT NULL DEFAULT 0;
"""

POSTGRES = """
ALTER TABLE "post_edits" ADD "media" JSONB;
ALTER TABLE "post_edits" ADD "media_changed" BOOL NOT NULL DEFAULT FALSE;
"""


async def upgrade(db: BaseDBAsyncClient) -> str:
    return SQLITE if db.schema_generator.DIALECT == "sqlite" else POSTGRES


async def downgrade(db: BaseDBAsyncClient) -> str:
    return ""
