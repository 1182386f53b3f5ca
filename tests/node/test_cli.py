"""The kith command: every subcommand, its exit codes and its one-line errors.

Most tests call `main()` in this process (fast); a few run the real console script to
prove the entry points and exit codes as a shell sees them.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest

from node.cli import main
from tests.rig.database import empty_schema, postgres_url


@pytest.fixture
def kith_env(tmp_path, monkeypatch):
    """Point the command at a fresh data directory (and an emptied PostgreSQL schema)."""
    import asyncio

    monkeypatch.setenv("KITH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("KITH_BASE_URL", "http://localhost:8000")
    monkeypatch.delenv("KITH_ADMIN_PASSWORD", raising=False)
    monkeypatch.delenv("KITH_ADMIN_USER", raising=False)
    if postgres_url():
        monkeypatch.setenv("DATABASE_URL", postgres_url())
        asyncio.run(empty_schema(postgres_url()))
    else:
        monkeypatch.delenv("DATABASE_URL", raising=False)
    return tmp_path / "data"


def run(argv, stdin: str = "", monkeypatch=None) -> int:
    sys.stdin = io.StringIO(stdin)
    try:
        return main(argv)
    finally:
        sys.stdin = sys.__stdin__


def test_init__creates_data_dir_database_and_first_account_once(kith_env, capsys):
    assert run(["init"]) == 0
    out = capsys.readouterr().out
    assert "password:" in out and "http://localhost:8000/login" in out
    assert oct(kith_env.stat().st_mode & 0o777) == "0o700"
    assert oct((kith_env / "secret.key").stat().st_mode & 0o777) == "0o600"
    assert (kith_env / "instance-key.pem").read_text().startswith("-----BEGIN PRIVATE KEY-----")
    secret = (kith_env / "secret.key").read_text()
    # Idempotent: a second run keeps the secret and makes no second account.
    assert run(["init"]) == 0
    assert "nothing more to do" in capsys.readouterr().out
    assert (kith_env / "secret.key").read_text() == secret
    assert run(["user", "list"]) == 0
    assert capsys.readouterr().out.count("\n") == 1


def test_init__takes_the_password_from_the_environment(kith_env, capsys, monkeypatch):
    monkeypatch.setenv("KITH_ADMIN_PASSWORD", "from-the-environment")
    monkeypatch.setenv("KITH_ADMIN_USER", "owner")
    assert run(["init"]) == 0
    out = capsys.readouterr().out
    assert "from-the-environment" not in out and "owner" in out


def test_user_create_list_and_passwd(kith_env, capsys):
    assert run(["user", "create", "alice", "--admin", "--locked", "--password-stdin"], "s3cret-password\n") == 0
    assert "Created @alice@localhost:8000" in capsys.readouterr().out
    assert run(["user", "list"]) == 0
    assert capsys.readouterr().out == "alice\thttp://localhost:8000/users/alice\tadmin,locked\n"
    assert run(["user", "passwd", "alice", "--password-stdin"], "another-password\n") == 0
    assert "Password changed" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv,stdin,message",
    [
        (["user", "create", "bad name", "--password-stdin"], "s3cret-password\n", "letters, digits or underscores"),
        (["user", "create", "bob", "--password-stdin"], "short\n", "at least 8 characters"),
        (["user", "create", "bob", "--password-stdin"], "", "no password on standard input"),
        (["user", "passwd", "nobody", "--password-stdin"], "s3cret-password\n", "no account named 'nobody'"),
        (["post", "nobody", "hello"], "", "no account named 'nobody'"),
    ],
)
def test_failures__exit_1_with_one_line(kith_env, capsys, argv, stdin, message):
    assert run(argv, stdin) == 1
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_user_create__taken_name_is_refused(kith_env, capsys):
    assert run(["user", "create", "alice", "--password-stdin"], "s3cret-password\n") == 0
    assert run(["user", "create", "Alice", "--password-stdin"], "s3cret-password\n") == 1
    assert "is taken" in capsys.readouterr().err


def test_post__prints_the_permalink_whose_id_is_the_activitypub_id(kith_env, capsys):
    run(["user", "create", "alice", "--password-stdin"], "s3cret-password\n")
    capsys.readouterr()
    assert run(["post", "alice", "--visibility", "public", "--cw", "careful", "hello from a script"]) == 0
    permalink = capsys.readouterr().out.strip()
    assert permalink.startswith("http://localhost:8000/@alice/")
    post_id = permalink.rsplit("/", 1)[1]
    assert post_id.isdigit()
    assert run(["post", "alice", "--in-reply-to", permalink, "a reply"]) == 0
    reply = capsys.readouterr().out.strip()
    assert reply != permalink
    assert run(["post", "alice", "--no-link-preview", "see http://news.test/story"]) == 0
    plain = capsys.readouterr().out.strip()

    import asyncio

    from node.db import close_database, open_database
    from node.models import Post
    from node.settings import load_settings

    async def check():
        await open_database(load_settings())
        try:
            first = await Post.get(id=int(post_id))
            second = await Post.get(id=int(reply.rsplit("/", 1)[1]))
            third = await Post.get(id=int(plain.rsplit("/", 1)[1]))
            return first, second, third
        finally:
            await close_database()

    first, second, third = asyncio.run(check())
    assert first.link_preview and not third.link_preview
    assert first.ap_id == f"http://localhost:8000/users/alice/statuses/{post_id}"
    assert first.content_warning == "careful" and first.visibility.value == "public"
    assert second.in_reply_to_id == first.id and second.visibility.value == "unlisted"


def test_post__errors_are_one_line(kith_env, capsys):
    run(["user", "create", "alice", "--password-stdin"], "s3cret-password\n")
    capsys.readouterr()
    assert run(["post", "alice", "   "]) == 1
    assert "needs some text" in capsys.readouterr().err
    assert run(["post", "alice", "--in-reply-to", "http://localhost:8000/@alice/5", "x"]) == 1
    assert "no such post" in capsys.readouterr().err


def test_migrate__is_idempotent(kith_env, capsys):
    assert run(["migrate"]) == 0
    assert run(["migrate"]) == 0
    assert "up to date" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv",
    [[], ["frobnicate"], ["user"], ["user", "create", "alice"], ["post", "alice"],
     ["post", "alice", "x", "--visibility", "friends"], ["serve", "--workers", "0"], ["serve", "--port", "x"]],
)
def test_usage_errors__exit_2(kith_env, capsys, argv):
    with pytest.raises(SystemExit) as exit:
        main(argv)
    assert exit.value.code == 2


@pytest.mark.parametrize(
    "name,value,message",
    [
        ("DATABASE_URL", "mysql://x/y", "DATABASE_URL"),
        ("DATABASE_URL", "postgres://127.0.0.1:1/nothing", "DATABASE_URL: cannot open the database"),
        ("KITH_BASE_URL", "http://example.org", "KITH_BASE_URL"),
        ("KITH_BASE_URL", "ftp://example.org", "KITH_BASE_URL"),
        ("KITH_MAX_POST_CHARS", "many", "KITH_MAX_POST_CHARS"),
    ],
)
def test_bad_settings__stop_with_one_line_naming_the_setting(kith_env, capsys, monkeypatch, name, value, message):
    monkeypatch.setenv(name, value)
    assert run(["migrate"]) == 1
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def console(*args, stdin="", env=None):
    return subprocess.run(args, input=stdin, capture_output=True, text=True, env=env, timeout=60)


def test_console_script_and_python_m__are_the_same_command(kith_env):
    env = dict(os.environ)
    kith = os.path.join(os.path.dirname(sys.executable), "kith")
    created = console(kith, "user", "create", "alice", "--password-stdin", stdin="s3cret-password\n", env=env)
    assert created.returncode == 0, created.stderr
    listed = console(sys.executable, "-m", "node", "user", "list", env=env)
    assert listed.returncode == 0 and listed.stdout.startswith("alice\t")
    usage = console(sys.executable, "-m", "node", "nonsense", env=env)
    assert usage.returncode == 2
    failure = console(kith, "post", "nobody", "x", env=env)
    assert failure.returncode == 1 and failure.stderr.strip().count("\n") == 0
