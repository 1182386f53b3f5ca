"""Walk reply chains on post ids alone, one recursive query each way: the parents above a
post, and the reply tree below it, breadth first, bounded in depth and count.

The same SQL runs on SQLite and PostgreSQL (WITH RECURSIVE, on the posts (id) and
(in_reply_to_id, id) indexes). Nothing here decides who may see a post: the ids found are
the shape of a thread, and the caller loads the posts through the audience filter.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tortoise import connections

# Each step follows in_reply_to_id one level up; `depth` bounds a loop in remote data.
_PARENTS = """
WITH RECURSIVE chain(id, parent, depth) AS (
    SELECT id, in_reply_to_id, 1 FROM posts WHERE id = {0}
    UNION ALL
    SELECT posts.id, posts.in_reply_to_id, chain.depth + 1
    FROM posts JOIN chain ON posts.id = chain.parent
    WHERE chain.depth < {1}
)
SELECT id, parent FROM chain ORDER BY depth
"""

# Each step finds the replies to the previous level; the LIMIT stops the recursion early on
# both databases (rows are made only as the outer query fetches them).
_REPLIES = """
WITH RECURSIVE tree(id, parent, depth) AS (
    SELECT id, in_reply_to_id, 1 FROM posts WHERE in_reply_to_id = {0}
    UNION ALL
    SELECT posts.id, posts.in_reply_to_id, tree.depth + 1
    FROM posts JOIN tree ON posts.in_reply_to_id = tree.id
    WHERE tree.depth < {1}
)
SELECT id, parent FROM tree LIMIT {2}
"""


async def parent_ids(post_id: int, depth: int) -> list[int]:
    """Return the ids of `post_id` and up to `depth - 1` of its parents, nearest first,
    ending at a post with no parent, a missing post, or a post seen before (a loop)."""
    chain: list[int] = []
    for row_id, _ in await _run(_PARENTS, post_id, depth):
        if row_id in chain:
            break
        chain.append(row_id)
    return chain


@dataclass
class ReplyTree:
    """The replies below a post: {parent id: [reply ids, oldest first]}, and the posts whose
    replies are all there (not cut off by the depth or count bound)."""

    children: dict[int, list[int]] = field(default_factory=dict)
    whole: set[int] = field(default_factory=set)


async def reply_tree(post_id: int, depth: int, limit: int) -> ReplyTree:
    """Return the replies below `post_id`: up to `depth` levels and `limit` rows, breadth
    first; a post reached twice (a loop) counts once."""
    rows = await _run(_REPLIES, post_id, depth, limit)
    tree = ReplyTree()
    seen, level, looped = {post_id}, {post_id: 0}, set()
    for reply_id, parent_id in rows:
        if reply_id in seen:
            looped.add(parent_id)  # its reply is listed elsewhere in the tree, not under it
            continue
        seen.add(reply_id)
        level[reply_id] = level.get(parent_id, depth) + 1
        tree.children.setdefault(parent_id, []).append(reply_id)
    for replies in tree.children.values():
        replies.sort()
    if len(rows) < limit:  # every level was walked to its end, down to the last one
        tree.whole = {i for i, n in level.items() if n < depth} - looped
    return tree


async def _run(sql: str, *numbers: int) -> list[tuple[int, int | None]]:
    conn = connections.get("default")
    marks = ["?"] * len(numbers) if conn.capabilities.dialect == "sqlite" else \
        [f"${i}" for i in range(1, len(numbers) + 1)]
    _, rows = await conn.execute_query(sql.format(*marks), [int(n) for n in numbers])
    return [(row[0], row[1]) for row in rows]
