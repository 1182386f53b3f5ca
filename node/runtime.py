"""The federation machinery of one process, built from settings: the HTTP client, the
resolver, the inbox intake, and (when this process runs them) the inbox and delivery
workers. Created inside a running event loop; closed when the process stops."""

from __future__ import annotations

import asyncio
import functools
import time
from dataclasses import dataclass, field
from datetime import timedelta

from federation.intake import Intake
from federation.keys import load_private_key
from federation.resolver import Resolver
from federation.signatures import sign_request
from federation.transport import Transport, TransportConfig
from node.models import DomainBlock
from node.settings import Settings
from node.uris import Uris


@dataclass
class Runtime:
    settings: Settings
    uris: Uris
    transport: Transport
    resolver: Resolver
    intake: Intake
    instance_private_pem: str
    blocked_hosts: "BlockedHosts"
    tasks: list[asyncio.Task] = field(default_factory=list)
    stop: asyncio.Event = field(default_factory=asyncio.Event)

    inbox_worker: object | None = None
    delivery_worker: object | None = None
    card_worker: object | None = None  # node.services.link_cards.LinkCardWorker

    def wake_inbox(self) -> None:
        """Tell this process's inbox worker (if it runs one) that an item was stored."""
        if self.inbox_worker is not None:
            self.inbox_worker.wake()

    def wake_delivery(self) -> None:
        """Tell this process's delivery worker (if it runs one) that deliveries are queued."""
        if self.delivery_worker is not None:
            self.delivery_worker.wake()

    def wake_cards(self) -> None:
        """Tell this process's link card worker (if it runs one) that a card is pending."""
        if self.card_worker is not None:
            self.card_worker.wake()

    async def close(self) -> None:
        """Stop the workers this process runs and close the HTTP client."""
        self.stop.set()
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        await self.transport.close()


def transport_config_for(settings: Settings) -> TransportConfig:
    host_map = {host: (address, port) for host, address, port in settings.test_host_map}
    return TransportConfig(allow_private=settings.allow_private_addresses, host_map=host_map)


async def start_runtime(settings: Settings, transport_config: TransportConfig | None = None) -> Runtime:
    """Return the federation machinery for `settings` (inside a running event loop)."""
    uris = Uris(settings.base_url)
    transport = Transport(transport_config or transport_config_for(settings))
    instance_pem = settings.instance_key_path.read_text()
    load_private_key(instance_pem)  # fail now, not on the first fetch, if the key is bad
    sign = functools.partial(sign_request, key_id=uris.instance_key_id(), private_key_pem=instance_pem)
    resolver = Resolver(transport, sign)
    blocked_hosts = BlockedHosts()
    intake = Intake(resolver, is_blocked_host=blocked_hosts,
                    max_skew=timedelta(hours=settings.signature_max_skew_hours))
    return Runtime(settings, uris, transport, resolver, intake, instance_pem, blocked_hosts)


class BlockedHosts:
    """The servers this node blocks, reread at most every `ttl` seconds: every inbox POST
    asks, and a database query each time would sit on the hottest path."""

    def __init__(self, ttl: float = 10.0) -> None:
        self._ttl = ttl
        self._hosts: frozenset[str] = frozenset()
        self._read_at = float("-inf")

    def forget(self) -> None:
        """Reread the blocks on the next check (this process just changed them)."""
        self._read_at = float("-inf")

    async def __call__(self, host: str) -> bool:
        """Return whether the server `host` (host[:port]) is blocked."""
        now = time.monotonic()
        if now - self._read_at > self._ttl:
            self._hosts = frozenset(await DomainBlock.all().values_list("domain", flat=True))
            self._read_at = now
        return host.lower() in self._hosts
