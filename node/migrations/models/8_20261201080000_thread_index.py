"""An index for thread pages: the replies to a set of posts, oldest first. Without it each
level of a thread scans every post. Same SQL on both dialects; see 0_…_init.py."""

from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True

SQL = """
CREATE INDEX IF NOT EXISTS "idx_posts_in_repl_92c281" ON "posts" ("in_reply_to_id", "id");
"""


async def upgrade(db: BaseDBAsyncClient) -> str:
    return SQL


async def downgrade(db: BaseDBAsyncClient) -> str:
    return 'DROP INDEX IF EXISTS "idx_posts_in_repl_92c281";'
