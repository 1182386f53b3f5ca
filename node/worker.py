"""The inbox and delivery workers: node's handlers registered into federation's loops.

`kith serve` runs them inside one web process by default; `kith worker` runs them alone,
for nodes that want separate processes (several may run at once: claims never overlap).
"""

from __future__ import annotations

import asyncio
import logging

from federation.delivery import DeliveryWorker
from federation.dispatch import HandlerRegistry
from federation.inbox import InboxWorker
from node.handlers import Handlers
from node.models import Account
from node.runtime import Runtime
from node.services.link_cards import LinkCardWorker
from node.services.poll_updates import PollWorker

log = logging.getLogger(__name__)

POST_TYPES = ("Note", "Article", "Question", "Page")
ACTOR_TYPES = ("Person", "Service", "Application", "Group", "Organization")


def registry_for(handlers: Handlers) -> HandlerRegistry:
    """Return the registry of every inbound activity this node acts on."""
    registry = HandlerRegistry()
    registry.register("Follow", None, handlers.on_follow)
    registry.register("Undo", "Follow", handlers.on_undo_follow)
    registry.register("Accept", "Follow", handlers.on_accept_follow)
    registry.register("Reject", "Follow", handlers.on_reject_follow)
    # Some servers answer with only the Follow's IRI: the object type is then unknown.
    registry.register("Accept", None, handlers.on_accept_follow)
    registry.register("Reject", None, handlers.on_reject_follow)
    registry.register("Block", None, handlers.on_block)
    registry.register("Undo", "Block", handlers.on_undo_block)
    registry.register("Delete", None, handlers.on_delete)
    registry.register("Like", None, handlers.on_like)
    registry.register("Announce", None, handlers.on_announce)
    registry.register("Undo", "Like", handlers.on_undo_like)
    registry.register("Undo", "Announce", handlers.on_undo_announce)
    registry.register("Undo", None, handlers.on_undo_by_id)  # the undone activity named by id alone
    for kind in POST_TYPES:
        registry.register("Create", kind, handlers.on_create_note)
        registry.register("Update", kind, handlers.on_update_note)
    for kind in ACTOR_TYPES:
        registry.register("Update", kind, handlers.on_update_person)
    return registry


async def private_key_for(runtime: Runtime, key_id: str) -> str:
    """Return the private key PEM that signs as `key_id` (an account's or the instance's)."""
    if key_id == runtime.uris.instance_key_id():
        return runtime.instance_private_pem
    account = await Account.get_or_none(actor__public_key_id=key_id)
    if account is None:
        raise LookupError(f"no key of ours is {key_id}")
    return account.private_key_pem


async def start_workers(runtime: Runtime) -> None:
    """Start the inbox and delivery loops as tasks of this process."""
    handlers = Handlers(runtime.uris, runtime.resolver)
    runtime.inbox_worker = InboxWorker(registry_for(handlers))
    runtime.delivery_worker = DeliveryWorker(runtime.transport, lambda key_id: private_key_for(runtime, key_id))
    polls = PollWorker(runtime.uris, runtime.wake_delivery)  # closes ended polls, sends results
    runtime.card_worker = LinkCardWorker(runtime.transport)
    for worker in (runtime.inbox_worker, runtime.delivery_worker, polls, runtime.card_worker):
        runtime.tasks.append(asyncio.create_task(worker.run_forever(runtime.stop)))
    log.info("inbox, delivery, poll and link card workers started")
