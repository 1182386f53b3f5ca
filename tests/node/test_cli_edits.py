"""`kith edit` and `kith delete`: exit codes 0, 2 and 1 with one line on stderr, as the
other commands; in this process, and once as a shell runs them."""

from __future__ import annotations

import asyncio
import os
import sys

import pytest

from node.cli import main
from tests.node.test_cli import console, kith_env, run  # noqa: F401  (kith_env is a fixture)


def posted(capsys, *argv) -> str:
    assert run(["post", "alice", *argv]) == 0
    return capsys.readouterr().out.strip()


def stored(post_id: str):
    """Return the post row and its earlier versions, read from the command's database."""
    from node.db import close_database, open_database
    from node.models import Post, PostEdit
    from node.settings import load_settings

    async def read():
        await open_database(load_settings())
        try:
            return await Post.get(id=int(post_id)), await PostEdit.filter(post_id=int(post_id)).order_by("id")
        finally:
            await close_database()

    return asyncio.run(read())


@pytest.fixture
def alice(kith_env, capsys):  # noqa: F811
    assert run(["user", "create", "alice", "--password-stdin"], "s3cret-password\n") == 0
    assert run(["user", "create", "bob", "--password-stdin"], "s3cret-password\n") == 0
    capsys.readouterr()


def test_edit__by_id_or_url_keeps_the_warning_unless_told(alice, capsys):
    permalink = posted(capsys, "--cw", "careful", "first text")
    post_id = permalink.rsplit("/", 1)[1]
    assert run(["edit", "alice", post_id, "second text"]) == 0
    assert capsys.readouterr().out.strip() == permalink
    post, versions = stored(post_id)
    assert post.source == "second text" and post.content_warning == "careful" and post.edited_at
    assert [v.source for v in versions] == ["first text"]
    ap_id = f"http://localhost:8000/users/alice/statuses/{post_id}"
    assert run(["edit", "alice", ap_id, "third text", "--cw", ""]) == 0
    post, versions = stored(post_id)
    assert post.source == "third text" and post.content_warning == "" and len(versions) == 2


def test_edit__unchanged_text_says_so_and_succeeds(alice, capsys):
    permalink = posted(capsys, "same")
    assert run(["edit", "alice", permalink, "same"]) == 0
    captured = capsys.readouterr()
    assert captured.out.strip() == permalink and captured.err.count("\n") == 1 and "nothing was sent" in captured.err


def test_delete__leaves_a_tombstone_then_the_post_is_no_more(alice, capsys):
    permalink = posted(capsys, "to be deleted")
    assert run(["delete", "alice", permalink]) == 0
    assert capsys.readouterr().out.strip() == f"deleted: {permalink}"
    post, _ = stored(permalink.rsplit("/", 1)[1])
    assert post.deleted_at is not None and post.source == ""
    assert run(["delete", "alice", permalink]) == 1
    assert "has no post" in capsys.readouterr().err


@pytest.mark.parametrize("argv,message", [
    (["edit", "nobody", "1", "x"], "no account named 'nobody'"),
    (["edit", "alice", "1", "x"], "@alice has no post 1"),
    (["delete", "alice", "12345"], "@alice has no post 12345"),
    (["edit", "alice", "http://elsewhere.example/@alice/1", "x"], "has no post"),
])
def test_failures__exit_1_with_one_line(alice, capsys, argv, message):
    assert run(argv) == 1
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_someone_elses_post_and_bad_text__exit_1(alice, capsys):
    permalink = posted(capsys, "alice's post")
    for argv, message in ((["edit", "bob", permalink, "mine now"], "@bob has no post"),
                          (["delete", "bob", permalink], "@bob has no post"),
                          (["edit", "alice", permalink, "   "], "needs some text")):
        assert run(argv) == 1
        err = capsys.readouterr().err
        assert message in err and err.count("\n") == 1
    post, versions = stored(permalink.rsplit("/", 1)[1])
    assert post.source == "alice's post" and post.deleted_at is None and versions == []


@pytest.mark.parametrize("argv", [["edit"], ["edit", "alice", "1"], ["edit", "alice", "abc", "x"],
                                  ["delete", "alice"], ["delete", "alice", "ftp://x/1"], ["edit", "alice", "1", "x", "--cw"]])
def test_usage_errors__exit_2(kith_env, argv):  # noqa: F811
    with pytest.raises(SystemExit) as exit:
        main(argv)
    assert exit.value.code == 2


def test_console__edit_and_delete_exit_codes(alice, capsys):
    permalink = posted(capsys, "from a shell")
    env, kith = dict(os.environ), os.path.join(os.path.dirname(sys.executable), "kith")
    edited = console(kith, "edit", "alice", permalink, "edited from a shell", env=env)
    assert edited.returncode == 0 and edited.stdout.strip() == permalink, edited.stderr
    usage = console(kith, "delete", "alice", env=env)
    assert usage.returncode == 2
    missing = console(kith, "delete", "alice", "999", env=env)
    assert missing.returncode == 1 and missing.stderr.strip() == "kith: @alice has no post 999"
    deleted = console(sys.executable, "-m", "node", "delete", "alice", permalink, env=env)
    assert deleted.returncode == 0 and deleted.stdout.strip() == f"deleted: {permalink}"
