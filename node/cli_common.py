"""What the `kith` commands share: the error they print as one line, finding an account,
and running with the federation machinery up (WebFinger, fetches, delivery)."""

from __future__ import annotations

from node.settings import Settings


class CommandError(Exception):
    """A command failed for a reason the user can act on; printed as one line."""


async def account_named(name: str):
    from node.models import Account

    account = await Account.get_or_none(username__iexact=name.lstrip("@")).select_related("actor")
    if account is None:
        raise CommandError(f"no account named {name!r}")
    return account


async def with_runtime(settings: Settings, action, deliver: bool = True):
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
