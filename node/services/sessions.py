"""Browser sessions: the cookie holds a random token; the database keeps its SHA-256, so a
leaked database signs no one in and signing out really ends the session."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta, timezone

from node.models import Account, Session

SESSION_LIFETIME = timedelta(days=30)
TOUCH_EVERY = timedelta(hours=1)  # how stale last_seen_at may get before we write it


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def open_session(account: Account) -> str:
    """Start a session for `account`; return the token for its cookie."""
    token = secrets.token_urlsafe(32)
    expired = datetime.now(timezone.utc) - SESSION_LIFETIME
    await Session.filter(account_id=account.id, last_seen_at__lt=expired).delete()
    await Session.create(token_hash=_hash(token), account=account)
    return token


async def account_for(token: str) -> Account | None:
    """Return the account (with its actor) whose live session `token` is, or None."""
    session = await Session.get_or_none(token_hash=_hash(token)).select_related("account__actor")
    now = datetime.now(timezone.utc)
    if session is None or now - session.last_seen_at > SESSION_LIFETIME:
        return None
    if now - session.last_seen_at > TOUCH_EVERY:
        await Session.filter(token_hash=session.token_hash).update(last_seen_at=now)
    return session.account


async def close_session(token: str) -> None:
    await Session.filter(token_hash=_hash(token)).delete()
