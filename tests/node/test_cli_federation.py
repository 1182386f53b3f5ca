"""`kith follow` and `kith unfollow` as a shell runs them, against the fake fediverse."""

from __future__ import annotations

import asyncio
import os
import sys

import pytest

from node.models import Follow, FollowState
from tests.rig.waiting import eventually


pytestmark = pytest.mark.live


async def kith(settings, fediverse, *args: str) -> tuple[int, str, str]:
    host_map = ",".join(f"{host}=127.0.0.1:{port}" for host, (_, port) in fediverse.host_map.items())
    env = dict(os.environ, KITH_DATA_DIR=str(settings.data_dir), KITH_BASE_URL=settings.base_url,
               DATABASE_URL=settings.database_url, KITH_ALLOW_PRIVATE_ADDRESSES="1", KITH_TEST_HOST_MAP=host_map)
    process = await asyncio.create_subprocess_exec(sys.executable, "-m", "node", *args, env=env,
                                                   stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    return process.returncode, out.decode(), err.decode()


async def test_follow_and_unfollow__by_handle(live_node, settings, make_account, fediverse):
    alice = await make_account("alice")
    carol = await fediverse.actor("carol@remote.test")
    code, out, err = await kith(settings, fediverse, "follow", "alice", "@carol@remote.test")
    assert code == 0, err
    assert "follow requested: @carol@remote.test" in out
    follow = (await eventually(lambda: carol.activities("Follow"), what="the Follow"))[0]
    assert follow["actor"] == alice.actor.ap_id
    assert await Follow.filter(follower_id=alice.actor_id, state=FollowState.REQUESTED).exists()
    code, out, err = await kith(settings, fediverse, "unfollow", "alice", "carol@remote.test")
    assert code == 0, err
    await eventually(lambda: carol.activities("Undo"), what="the Undo")
    assert not await Follow.exists(follower_id=alice.actor_id)


async def test_follow__local_account_is_followed_at_once(settings, make_account, fediverse):
    alice, bob = await make_account("alice"), await make_account("bob")
    code, out, _ = await kith(settings, fediverse, "follow", "alice", "bob")
    assert code == 0 and "following: @bob@" in out
    assert await Follow.filter(follower_id=alice.actor_id, target_id=bob.actor_id, state=FollowState.ACCEPTED).exists()


@pytest.mark.parametrize("handle,message", [("@nobody@remote.test", "cannot follow"),
                                            ("not a handle@", "cannot follow")])
async def test_follow__unknown_accounts_fail_with_one_line(settings, make_account, fediverse, handle, message):
    await make_account("alice")
    code, _, err = await kith(settings, fediverse, "follow", "alice", handle)
    assert code == 1 and message in err and err.count("\n") == 1


async def test_post__resolves_remote_mentions_and_reports_the_unknown(live_node, settings, make_account, fediverse):
    from node.models import Mention, Post

    await make_account("alice")
    carol = await fediverse.actor("carol@remote.test")
    code, out, err = await kith(settings, fediverse, "post", "alice", "--visibility", "direct",
                                "hi @carol@remote.test and @nobody@remote.test")
    assert code == 0, err
    post = await Post.get()
    assert out.strip() == post.url
    assert await Mention.filter(post_id=post.id, actor__ap_id=carol.id).exists()
    assert "not found, left as plain text: @nobody@remote.test" in err and err.count("\n") == 1
