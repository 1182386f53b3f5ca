"""Accounts: create, change password, check a password, update settings. One transaction each."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from tortoise.transactions import in_transaction

from federation.audience import Visibility
from federation.keys import generate_key_pair
from node.html import render_text
from node.models import Account, Actor, Session
from node.uris import Uris

USERNAME_RE = re.compile(r"^[A-Za-z0-9_]{1,30}$")
MIN_PASSWORD_LENGTH = 8
MAX_DISPLAY_NAME = 100
MAX_BIO = 1000

# argon2id with the library's defaults (RFC 9106 low-memory profile).
_hasher = PasswordHasher()


class AccountError(ValueError):
    """A request about an account that cannot be carried out; the message says why."""


def check_username(name: str) -> str:
    """Return `name` if it can be a username; raise AccountError otherwise."""
    if not USERNAME_RE.match(name):
        raise AccountError(
            f"username {name!r} must be 1 to 30 letters, digits or underscores"
        )
    return name


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"password must be at least {MIN_PASSWORD_LENGTH} characters")
    return password


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_matches(account: Account | None, password: str) -> bool:
    """Return whether `password` is the account's; spends the same effort when there is none."""
    if account is None:
        _hasher.hash(password)  # so a wrong username takes as long as a wrong password
        return False
    try:
        return _hasher.verify(account.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


async def create_account(
    uris: Uris, username: str, password: str, *, admin: bool = False, locked: bool = False
) -> Account:
    """Create a local account and its actor with a fresh key pair; raise AccountError."""
    check_username(username)
    check_password(password)
    if await Account.filter(username__iexact=username).exists():
        raise AccountError(f"username {username!r} is taken")
    keys = generate_key_pair()
    async with in_transaction():
        actor = await Actor.create(
            ap_id=uris.actor(username),
            username=username,
            domain=uris.host,
            local=True,
            url=uris.profile(username),
            inbox=uris.inbox(username),
            shared_inbox=uris.shared_inbox(),
            outbox=uris.outbox(username),
            followers_url=uris.followers(username),
            following_url=uris.following(username),
            public_key_id=uris.key_id(username),
            public_key_pem=keys.public_pem,
            locked=locked,
        )
        return await Account.create(
            actor=actor,
            username=username,
            password_hash=hash_password(password),
            private_key_pem=keys.private_pem,
            is_admin=admin,
        )


async def set_password(account: Account, password: str) -> None:
    """Change the password and sign out every session of the account."""
    check_password(password)
    async with in_transaction():
        account.password_hash = hash_password(password)
        await account.save(update_fields=["password_hash"])
        await Session.filter(account_id=account.id).delete()


@dataclass(frozen=True)
class ProfileChange:
    display_name: str
    bio: str
    default_visibility: Visibility
    locked: bool
    discoverable: bool
    rss_enabled: bool


async def update_profile(uris: Uris, account: Account, change: ProfileChange) -> None:
    """Apply settings from the settings page; raise AccountError for values out of range."""
    if len(change.display_name) > MAX_DISPLAY_NAME:
        raise AccountError(f"display name is longer than {MAX_DISPLAY_NAME} characters")
    if len(change.bio) > MAX_BIO:
        raise AccountError(f"bio is longer than {MAX_BIO} characters")
    actor = account.actor
    bio = render_text(change.bio, uris.tag, lambda _name, _domain: None)
    async with in_transaction():
        actor.display_name = change.display_name.strip()
        actor.summary_html = bio.html
        actor.locked = change.locked
        actor.discoverable = change.discoverable
        actor.changed_at = datetime.now(timezone.utc)
        await actor.save()
        account.bio_source = change.bio
        account.default_visibility = change.default_visibility
        account.rss_enabled = change.rss_enabled
        await account.save()
