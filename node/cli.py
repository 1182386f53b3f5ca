"""The `kith` command: set up, serve, manage accounts and post from scripts.

Exit codes: 0 success, 2 usage error, 1 failure with one line on stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import secrets
import sys
from typing import Awaitable, Callable, Sequence

from node import cli_posts
from node.cli_common import CommandError, account_named
from node.db import DatabaseError, close_database, migrate, open_database
from node.instance import prepare_data_dir
from node.settings import Settings, SettingsError, load_settings
from node.uris import Uris


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kith", description="A privacy-first ActivityPub microblog node.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    commands.add_parser("init", help="create the data directory, database and first account")
    commands.add_parser("migrate", help="apply database migrations")
    serve = commands.add_parser("serve", help="serve the web node")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=_positive, default=1, metavar="N")
    serve.add_argument("--no-queue-worker", action="store_true",
                       help="do not run the inbox and delivery workers here (run `kith worker`)")
    commands.add_parser("worker", help="run the inbox and delivery workers alone")

    user = commands.add_parser("user", help="manage accounts").add_subparsers(
        dest="user_command", required=True, metavar="ACTION"
    )
    create = user.add_parser("create", help="create an account (password read from stdin)")
    create.add_argument("name")
    create.add_argument("--admin", action="store_true")
    create.add_argument("--locked", action="store_true", help="approve followers by hand")
    create.add_argument("--password-stdin", action="store_true", required=True)
    passwd = user.add_parser("passwd", help="set an account's password (read from stdin)")
    passwd.add_argument("name")
    passwd.add_argument("--password-stdin", action="store_true", required=True)
    user.add_parser("list", help="list accounts")
    cli_posts.add_commands(commands)
    return parser


def _positive(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{raw!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command in `argv`; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)  # exits 2 on a usage error
    if cli_posts.usage_problem(args):
        parser.error(cli_posts.usage_problem(args))
    # Commands for scripts keep stderr for their one-line errors; servers log what they do.
    quiet = "INFO" if args.command in ("serve", "worker") else "WARNING"
    logging.basicConfig(level=os.environ.get("KITH_LOG_LEVEL", quiet), format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("tortoise").setLevel(logging.WARNING)
    try:
        settings = load_settings()
        secret = prepare_data_dir(settings)
        if args.command == "serve":
            return _serve(settings, secret, args)
        if args.command == "worker":
            return _worker(settings)
        asyncio.run(_with_database(settings, lambda: COMMANDS[_name(args)](settings, args)))
        return 0
    except (SettingsError, DatabaseError, CommandError) as e:
        print(f"kith: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _name(args: argparse.Namespace) -> str:
    return f"user {args.user_command}" if args.command == "user" else args.command


async def _with_database(settings: Settings, command: Callable[[], Awaitable[None]]) -> None:
    await open_database(settings)
    try:
        await migrate(settings)
        await command()
    finally:
        await close_database()


def _serve(settings: Settings, secret: bytes, args: argparse.Namespace) -> int:
    from node.server import ServeError, serve

    async def prepare() -> None:
        pass

    asyncio.run(_with_database(settings, prepare))  # migrations before any worker starts
    try:
        print(f"Kith serving {settings.base_url} on http://{args.host}:{args.port} "
              f"({args.workers} worker{'s' if args.workers > 1 else ''})", file=sys.stderr)
        serve(settings, secret, args.host, args.port, args.workers, not args.no_queue_worker)
    except ServeError as e:
        raise CommandError(str(e)) from None
    return 0


def _worker(settings: Settings) -> int:
    """Run the inbox and delivery workers until SIGINT or SIGTERM."""
    import signal

    from node.runtime import start_runtime
    from node.worker import start_workers

    async def run() -> None:
        await open_database(settings)
        try:
            await migrate(settings)
            runtime = await start_runtime(settings)
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, runtime.stop.set)
            await start_workers(runtime)
            print("Kith worker running (inbox and delivery)", file=sys.stderr)
            await runtime.stop.wait()
            await runtime.close()
        finally:
            await close_database()

    asyncio.run(run())
    return 0


async def cmd_init(settings: Settings, args: argparse.Namespace) -> None:
    from node.models import Account
    from node.services.accounts import AccountError, create_account

    print(f"Data directory: {settings.data_dir}")
    if await Account.exists():
        print("Accounts exist already; nothing more to do.")
        return
    username = os.environ.get("KITH_ADMIN_USER", "admin")
    password = os.environ.get("KITH_ADMIN_PASSWORD") or secrets.token_urlsafe(12)
    try:
        await create_account(Uris(settings.base_url), username, password, admin=True)
    except AccountError as e:
        raise CommandError(f"cannot create the first account: {e}") from None
    print(f"Created the first account, {username}. Sign in at {settings.base_url}/login")
    if not os.environ.get("KITH_ADMIN_PASSWORD"):
        print(f"  username: {username}\n  password: {password}\n(shown once; change it with `kith user passwd`)")


async def cmd_migrate(settings: Settings, args: argparse.Namespace) -> None:
    print("Database is up to date.")


async def cmd_user_create(settings: Settings, args: argparse.Namespace) -> None:
    from node.services.accounts import AccountError, create_account

    password = _password_from_stdin()
    try:
        account = await create_account(
            Uris(settings.base_url), args.name, password, admin=args.admin, locked=args.locked
        )
    except AccountError as e:
        raise CommandError(str(e)) from None
    print(f"Created @{account.username}@{Uris(settings.base_url).host}")


async def cmd_user_passwd(settings: Settings, args: argparse.Namespace) -> None:
    from node.services.accounts import AccountError, set_password

    account = await account_named(args.name)
    try:
        await set_password(account, _password_from_stdin())
    except AccountError as e:
        raise CommandError(str(e)) from None
    print(f"Password changed for @{account.username}; its sessions were signed out.")


async def cmd_user_list(settings: Settings, args: argparse.Namespace) -> None:
    from node.models import Account

    for account in await Account.all().order_by("username").select_related("actor"):
        flags = [f for f, on in (("admin", account.is_admin), ("locked", account.actor.locked)) if on]
        print(f"{account.username}\t{account.actor.ap_id}\t{','.join(flags)}".rstrip())


def _password_from_stdin() -> str:
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise CommandError("no password on standard input")
    return password


COMMANDS: dict[str, Callable[[Settings, argparse.Namespace], Awaitable[None]]] = {
    "init": cmd_init,
    "migrate": cmd_migrate,
    "user create": cmd_user_create,
    "user passwd": cmd_user_passwd,
    "user list": cmd_user_list,
    **cli_posts.COMMANDS,
}
