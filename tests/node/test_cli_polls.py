"""`kith post --poll "A|B|C" --poll-expires SECONDS [--poll-multiple]`: the poll is made,
and bad usage exits 2 with the reason, posting nothing."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from node.cli import main
from tests.node.test_cli import kith_env, run  # noqa: F401  (kith_env is a fixture)


def stored_polls():
    from node.db import close_database, open_database
    from node.models import Poll, PollOption, Post
    from node.settings import load_settings

    async def read():
        await open_database(load_settings())
        try:
            result = []
            for poll in await Poll.all().order_by("id"):
                post = await Post.get(id=poll.post_id)
                names = await PollOption.filter(poll_id=poll.id).order_by("position").values_list("name", flat=True)
                result.append((post, poll, names))
            return result, await Post.all().count()
        finally:
            await close_database()

    return asyncio.run(read())


def test_post__with_a_poll(kith_env, capsys):
    # Given alice
    run(["user", "create", "alice", "--password-stdin"], "s3cret-password\n")
    capsys.readouterr()
    # When she posts two polls from a script
    assert run(["post", "alice", "Tea?", "--poll", "Tea| Coffee |Water", "--poll-expires", "600"]) == 0
    assert run(["post", "alice", "Snacks?", "--poll", "Crisps|Nuts", "--poll-expires", "604800",
                "--poll-multiple"]) == 0
    permalinks = capsys.readouterr().out.split()
    # Then both have their poll, as asked
    (first, single, single_names), (second, multiple, multiple_names) = stored_polls()[0]
    assert [first.url, second.url] == permalinks
    assert single_names == ["Tea", "Coffee", "Water"] and not single.multiple
    assert single.expires_at - first.created_at == timedelta(seconds=600)
    assert multiple_names == ["Crisps", "Nuts"] and multiple.multiple
    assert multiple.expires_at - second.created_at == timedelta(days=7)


@pytest.mark.parametrize("argv,message", [
    (["--poll", "Only", "--poll-expires", "600"], "needs 2 to 4 options"),
    (["--poll", "A|B|C|D|E", "--poll-expires", "600"], "needs 2 to 4 options"),
    (["--poll", "A||", "--poll-expires", "600"], "needs 2 to 4 options"),
    (["--poll", f"A|{'x' * 51}", "--poll-expires", "600"], "at most 50 characters"),
    (["--poll", "A|A", "--poll-expires", "600"], "must be different"),
    (["--poll", "A|B", "--poll-expires", "299"], "300 to 604800 seconds"),
    (["--poll", "A|B", "--poll-expires", "1d"], "300 to 604800 seconds"),
    (["--poll", "A|B"], "--poll needs --poll-expires"),
    (["--poll-expires", "600"], "need --poll"),
    (["--poll-multiple"], "need --poll"),
])
def test_post__bad_poll_usage_exits_2(kith_env, capsys, argv, message):
    run(["user", "create", "alice", "--password-stdin"], "s3cret-password\n")
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit:
        main(["post", "alice", "text", *argv])
    assert exit.value.code == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert stored_polls() == ([], 0)
