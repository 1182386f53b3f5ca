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

from federation.audience import Visibility
from node.db import DatabaseError, close_database, migrate, open_database
from node.instance import prepare_data_dir
from node.media.commandline import add_media_arguments
from node.settings import Settings, SettingsError, load_settings
from node.uris import Uris


class CommandError(Exception):
    """A command failed for a reason the user can act on; printed as one line."""


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
    for name, text in (("follow", "follow an account (@user@host or URL) as NAME"),
                       ("unfollow", "stop following an account as NAME")):
        social = commands.add_parser(name, help=text)
        social.add_argument("name")
        social.add_argument("handle")

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

    post = commands.add_parser("post", help="publish a post; prints its permalink")
    post.add_argument("name")
    post.add_argument("text")
    post.add_argument("--visibility", choices=[v.value for v in Visibility], default=None)
    post.add_argument("--cw", default="", metavar="TEXT", help="content warning")
    post.add_argument("--in-reply-to", default=None, metavar="URL")
    post.add_argument("--poll", type=_poll_options, default=None, metavar='"A|B|C"',
                      help="add a poll with these options (2 to 4, | between them)")
    post.add_argument("--poll-expires", type=_poll_seconds, default=None, metavar="SECONDS",
                      help="how long the poll runs (300 to 604800); needed with --poll")
    post.add_argument("--poll-multiple", action="store_true", help="let voters choose several options")
    add_media_arguments(post)
    edit = commands.add_parser("edit", help="edit one's post (everyone who has it gets the new text)")
    edit.add_argument("name")
    edit.add_argument("id", type=_post_ref, help="the post's id, permalink or ActivityPub id")
    edit.add_argument("text")
    edit.add_argument("--cw", default=None, metavar="TEXT", help="new content warning ('' removes it)")
    delete = commands.add_parser("delete", help="delete one's post (a Delete goes to every server that had it)")
    delete.add_argument("name")
    delete.add_argument("id", type=_post_ref, help="the post's id, permalink or ActivityPub id")
    return parser


def _post_ref(raw: str) -> str:
    if not (raw.isdigit() and len(raw) <= 20) and not raw.startswith(("https://", "http://")):
        raise argparse.ArgumentTypeError(f"{raw!r} is neither a post id nor a post URL")
    return raw


def _positive(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{raw!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def _poll_options(raw: str) -> tuple[str, ...]:
    from node.polls import MIN_SECONDS, PollDraft, poll_problem

    options = tuple(option.strip() for option in raw.split("|") if option.strip())
    problem = poll_problem(PollDraft(options, False, MIN_SECONDS))  # the options alone
    if problem:
        raise argparse.ArgumentTypeError(problem)
    return options


def _poll_seconds(raw: str) -> int:
    from node.polls import MAX_SECONDS, MIN_SECONDS

    if not raw.isdigit() or not MIN_SECONDS <= int(raw) <= MAX_SECONDS:
        raise argparse.ArgumentTypeError(
            f"a poll runs {MIN_SECONDS} to {MAX_SECONDS} seconds (5 minutes to 7 days)")
    return int(raw)


def _usage_problem(args: argparse.Namespace) -> str | None:
    """Return what is wrong with a combination of options argparse cannot check alone."""
    if args.command == "post" and args.poll is None and (args.poll_expires or args.poll_multiple):
        return "--poll-expires and --poll-multiple need --poll"
    if args.command == "post" and args.poll is not None and args.poll_expires is None:
        return "--poll needs --poll-expires SECONDS"
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command in `argv`; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)  # exits 2 on a usage error
    if _usage_problem(args):
        parser.error(_usage_problem(args))
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

    account = await _account(args.name)
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


async def cmd_post(settings: Settings, args: argparse.Namespace) -> None:
    from node.media.commandline import uploads_of
    from node.media.files import MediaFiles
    from node.polls import PollDraft
    from node.services.media import MediaError, prepare_uploads, stored_uploads
    from node.services.posting import Draft, PostError, mentions_in, publish_post

    account = await _account(args.name)
    try:
        media = await prepare_uploads(uploads_of(args.media))
    except MediaError as e:
        raise CommandError(str(e)) from None
    visibility = Visibility(args.visibility) if args.visibility else account.default_visibility
    draft = Draft(text=args.text, visibility=visibility, content_warning=args.cw, in_reply_to=args.in_reply_to,
                  poll=PollDraft(args.poll, args.poll_multiple, args.poll_expires) if args.poll else None)
    uris = Uris(settings.base_url)

    async def publish(runtime=None):
        mentions = await mentions_in(uris, draft.text, runtime.resolver if runtime else None)
        try:
            async with stored_uploads(MediaFiles(settings.media_dir), media) as stored:
                post = await publish_post(uris, account, draft, settings.max_post_chars, mentions, media=stored)
        except PostError as e:
            raise CommandError(str(e)) from None
        print(post.url)
        if mentions.unresolved:
            print(f"kith: not found, left as plain text: {' '.join(mentions.unresolved)}", file=sys.stderr)

    # Remote mentions need WebFinger; a post without them touches no network here (the
    # running node's worker delivers it).
    if _mentions_elsewhere(uris, draft.text):
        await _with_runtime(settings, publish, deliver=False)
    else:
        await publish()


async def cmd_edit(settings: Settings, args: argparse.Namespace) -> None:
    from node.services.editing import Edit, edit_post
    from node.services.posting import PostError, mentions_in

    account = await _account(args.name)
    post = await _own_post(settings, account, args.id)
    uris = Uris(settings.base_url)
    edit = Edit(args.text, post.content_warning if args.cw is None else args.cw)

    async def save(runtime=None):
        mentions = await mentions_in(uris, edit.text, runtime.resolver if runtime else None)
        try:
            changed = await edit_post(uris, account, post, edit, settings.max_post_chars, mentions)
        except PostError as e:
            raise CommandError(str(e)) from None
        print(post.url)
        if not changed:
            print("kith: the post already says that; nothing was sent", file=sys.stderr)
        elif mentions.unresolved:
            print(f"kith: not found, left as plain text: {' '.join(mentions.unresolved)}", file=sys.stderr)

    if _mentions_elsewhere(uris, edit.text):
        await _with_runtime(settings, save, deliver=False)
    else:
        await save()


async def cmd_delete(settings: Settings, args: argparse.Namespace) -> None:
    from node.media.files import MediaFiles
    from node.services.media import delete_media_of
    from node.services.posting import delete_post

    account = await _account(args.name)
    post = await _own_post(settings, account, args.id)
    await delete_post(account, post)
    await delete_media_of(MediaFiles(settings.media_dir), post)
    print(f"deleted: {post.url}")


async def _own_post(settings: Settings, account, ref: str):
    """Return the account's live post that `ref` (id, permalink or ActivityPub id) names."""
    from node.models import Post

    if ref.isdigit():
        username, post_id = account.username, int(ref)
    else:
        username, post_id = Uris(settings.base_url).local_post_id(ref) or ("", 0)
    post = None
    if username.lower() == account.username.lower():
        post = await Post.get_or_none(id=post_id, author_id=account.actor_id, local=True, deleted_at=None)
    if post is None:
        raise CommandError(f"@{account.username} has no post {ref}")
    return post


def _mentions_elsewhere(uris: Uris, text: str) -> bool:
    from node.html import MENTION_RE

    return any(m.group(2) and m.group(2).lower() != uris.host for m in MENTION_RE.finditer(text))


async def _account(name: str):
    from node.models import Account

    account = await Account.get_or_none(username__iexact=name.lstrip("@")).select_related("actor")
    if account is None:
        raise CommandError(f"no account named {name!r}")
    return account


def _password_from_stdin() -> str:
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise CommandError("no password on standard input")
    return password


async def _with_runtime(settings: Settings, action, deliver: bool = True):
    """Run `action(runtime)` with the federation machinery up, then (unless told not to)
    deliver what it queued; the queue keeps what fails, for the node's worker."""
    from federation.delivery import DeliveryWorker
    from node.runtime import start_runtime
    from node.worker import private_key_for

    runtime = await start_runtime(settings)
    try:
        result = await action(runtime)
        if deliver:
            worker = DeliveryWorker(runtime.transport, lambda key_id: private_key_for(runtime, key_id))
            await worker.run_due()
        return result
    finally:
        await runtime.close()


async def cmd_follow(settings: Settings, args: argparse.Namespace) -> None:
    from federation.errors import FederationError
    from node.services import social
    from node.services.remote import actor_for_handle, remote_actor

    account = await _account(args.name)

    async def act(runtime):
        try:
            if args.handle.startswith(("https://", "http://")):
                target = await remote_actor(runtime.resolver, args.handle)
            else:
                target = await _local_or_remote(runtime, args.handle, actor_for_handle)
            if args.command == "follow":
                follow = await social.follow(runtime.uris, account, target)
                state = "following" if follow.state == "accepted" else "follow requested"
                print(f"{state}: @{target.handle}")
            else:
                await social.unfollow(runtime.uris, account, target)
                print(f"unfollowed: @{target.handle}")
        except (FederationError, ValueError) as e:
            raise CommandError(f"cannot {args.command} {args.handle}: {getattr(e, 'reason', None) or e}") from None

    await _with_runtime(settings, act)


async def _local_or_remote(runtime, handle: str, remote_lookup):
    from node.models import Actor

    name, _, host = handle.lstrip("@").partition("@")
    if not host or host == runtime.uris.host:
        actor = await Actor.get_or_none(username__iexact=name, local=True)
        if actor is None:
            raise ValueError(f"no account named {name!r} here")
        return actor
    return await remote_lookup(runtime.resolver, handle)


COMMANDS: dict[str, Callable[[Settings, argparse.Namespace], Awaitable[None]]] = {
    "init": cmd_init,
    "migrate": cmd_migrate,
    "user create": cmd_user_create,
    "user passwd": cmd_user_passwd,
    "user list": cmd_user_list,
    "post": cmd_post,
    "follow": cmd_follow,
    "unfollow": cmd_follow,
    "edit": cmd_edit,
    "delete": cmd_delete,
}
