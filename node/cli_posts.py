"""The `kith` commands that write: post, edit, delete, follow and unfollow (scripts' way to
do what the web pages do, with the same checks)."""

from __future__ import annotations

import argparse
import sys
from typing import Awaitable, Callable

from federation.audience import Visibility
from node.cli_common import CommandError, account_named, with_runtime
from node.media.commandline import add_media_arguments
from node.settings import Settings
from node.uris import Uris


def add_commands(commands: argparse._SubParsersAction) -> None:
    """Add the post, edit, delete, follow and unfollow commands to the parser."""
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
    post.add_argument("--no-link-preview", dest="link_preview", action="store_false",
                      help="show no preview card of the post's first link")
    add_media_arguments(post)
    edit = commands.add_parser("edit", help="edit one's post (everyone who has it gets the new text)")
    edit.add_argument("name")
    edit.add_argument("id", type=_post_ref, help="the post's id, permalink or ActivityPub id")
    edit.add_argument("text")
    edit.add_argument("--cw", default=None, metavar="TEXT", help="new content warning ('' removes it)")
    delete = commands.add_parser("delete", help="delete one's post (a Delete goes to every server that had it)")
    delete.add_argument("name")
    delete.add_argument("id", type=_post_ref, help="the post's id, permalink or ActivityPub id")
    for name, text in (("follow", "follow an account (@user@host or URL) as NAME"),
                       ("unfollow", "stop following an account as NAME")):
        social = commands.add_parser(name, help=text)
        social.add_argument("name")
        social.add_argument("handle")


def usage_problem(args: argparse.Namespace) -> str | None:
    """Return what is wrong with a combination of options argparse cannot check alone."""
    if args.command == "post" and args.poll is None and (args.poll_expires or args.poll_multiple):
        return "--poll-expires and --poll-multiple need --poll"
    if args.command == "post" and args.poll is not None and args.poll_expires is None:
        return "--poll needs --poll-expires SECONDS"
    return None


def _post_ref(raw: str) -> str:
    if not (raw.isdigit() and len(raw) <= 20) and not raw.startswith(("https://", "http://")):
        raise argparse.ArgumentTypeError(f"{raw!r} is neither a post id nor a post URL")
    return raw


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


async def cmd_post(settings: Settings, args: argparse.Namespace) -> None:
    from node.media.commandline import uploads_of
    from node.media.files import MediaFiles
    from node.polls import PollDraft
    from node.services.media import MediaError, prepare_uploads, stored_uploads
    from node.services.posting import Draft, PostError, publish_post

    account = await account_named(args.name)
    try:
        media = await prepare_uploads(uploads_of(args.media))
    except MediaError as e:
        raise CommandError(str(e)) from None
    visibility = Visibility(args.visibility) if args.visibility else account.default_visibility
    draft = Draft(text=args.text, visibility=visibility, content_warning=args.cw, in_reply_to=args.in_reply_to,
                  poll=PollDraft(args.poll, args.poll_multiple, args.poll_expires) if args.poll else None,
                  link_preview=args.link_preview)
    uris = Uris(settings.base_url)

    async def publish(mentions):
        try:
            async with stored_uploads(MediaFiles(settings.media_dir), media) as stored:
                post = await publish_post(uris, account, draft, settings.max_post_chars, mentions, media=stored)
        except PostError as e:
            raise CommandError(str(e)) from None
        print(post.url)

    await _with_mentions_of(settings, uris, draft.text, publish)


async def cmd_edit(settings: Settings, args: argparse.Namespace) -> None:
    from node.services.editing import Edit, edit_post
    from node.services.posting import PostError

    account = await account_named(args.name)
    post = await _own_post(settings, account, args.id)
    uris = Uris(settings.base_url)
    edit = Edit(args.text, post.content_warning if args.cw is None else args.cw)

    async def save(mentions):
        try:
            changed = await edit_post(uris, account, post, edit, settings.max_post_chars, mentions)
        except PostError as e:
            raise CommandError(str(e)) from None
        print(post.url)
        if not changed:
            print("kith: the post already says that; nothing was sent", file=sys.stderr)

    await _with_mentions_of(settings, uris, edit.text, save)


async def cmd_delete(settings: Settings, args: argparse.Namespace) -> None:
    from node.media.files import MediaFiles
    from node.services.media import delete_media_of
    from node.services.posting import delete_post

    account = await account_named(args.name)
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


async def _with_mentions_of(settings: Settings, uris: Uris, text: str,
                            action: Callable[[object], Awaitable[None]]) -> None:
    """Run `action(mentions)` with the @mentions of `text` looked up, and name on stderr those
    not found (they stay plain text). Remote ones need WebFinger, so the federation machinery
    comes up only for a text that names accounts elsewhere; the running node's worker
    delivers what is queued."""
    from node.html import MENTION_RE
    from node.services.posting import mentions_in

    async def run(runtime=None):
        mentions = await mentions_in(uris, text, runtime.resolver if runtime else None)
        await action(mentions)
        if mentions.unresolved:
            print(f"kith: not found, left as plain text: {' '.join(mentions.unresolved)}", file=sys.stderr)

    if any(m.group(2) and m.group(2).lower() != uris.host for m in MENTION_RE.finditer(text)):
        await with_runtime(settings, run, deliver=False)
    else:
        await run()


async def cmd_follow(settings: Settings, args: argparse.Namespace) -> None:
    from federation.errors import FederationError
    from node.services import social
    from node.services.remote import actor_for_handle, remote_actor

    account = await account_named(args.name)

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

    await with_runtime(settings, act)


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
    "post": cmd_post,
    "edit": cmd_edit,
    "delete": cmd_delete,
    "follow": cmd_follow,
    "unfollow": cmd_follow,
}
