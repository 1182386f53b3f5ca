"""FakeFediverse: several FakeServers on loopback, and the host map that reaches them.

The node under test gets `host_map` (or `transport_config()`) for its outgoing transport:
"remote.test" -> ("127.0.0.1", <port>), so it requests http://remote.test/... with that
Host header and real signatures. The fake servers share one RigClient over the same map,
which also reaches the node itself (its base URL is http://127.0.0.1:<port>).

    async with FakeFediverse(["remote.test", "other.test"]) as fediverse:
        carol = await fediverse.actor("carol@remote.test")
"""

from __future__ import annotations

from typing import Any, Iterable

from tests.rig.fakeserver import FakeServer
from tests.rig.httpsig import KeyPool
from tests.rig.remote import RigClient
from tests.rig.remote import FakeRemoteActor


class FakeFediverse:
    """Starts and stops fake servers; an async context manager."""

    def __init__(self, hosts: Iterable[str] = ("remote.test", "other.test")) -> None:
        self.hosts = list(hosts)
        self.servers: dict[str, FakeServer] = {}
        # Live: the node's transport and the rig client read it per request, so a host added
        # after the node started is still reachable.
        self.host_map: dict[str, tuple[str, int]] = {}
        self.keys = KeyPool()
        self.client: RigClient | None = None

    async def __aenter__(self) -> FakeFediverse:
        self.client = RigClient(self.host_map)
        try:
            for host in self.hosts:
                await self.add_server(host)
        except BaseException:
            await self.close()
            raise
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def close(self) -> None:
        for server in self.servers.values():
            await server.stop()
        if self.client is not None:
            await self.client.close()

    async def add_server(self, host: str, **options: Any) -> FakeServer:
        """Start a FakeServer for `host` (options: require_signed_fetch, software)."""
        if host in self.servers:
            raise ValueError(f"{host} is already running")
        server = FakeServer(host, keys=self.keys, **options)
        await server.start(self.client)
        self.servers[host] = server
        self.host_map[host] = ("127.0.0.1", server.port)
        return server

    def server(self, host: str) -> FakeServer:
        return self.servers[host]

    def __getitem__(self, host: str) -> FakeServer:
        return self.servers[host]

    def map_host(self, host: str, port: int, ip: str = "127.0.0.1") -> None:
        """Let the fake servers reach another loopback service by name (e.g. the node)."""
        self.host_map[host] = (ip, port)

    async def actor(self, handle: str, **fields: Any) -> FakeRemoteActor:
        """Return the actor "user@host", creating it (and starting its host) if needed."""
        username, _, host = handle.lstrip("@").partition("@")
        server = self.servers.get(host) or await self.add_server(host)
        return server.actors.get(username) or server.add_actor(username, **fields)

    def transport_config(self, **options: Any):
        """A federation.transport.TransportConfig that sends the node's requests here."""
        from federation.transport import TransportConfig

        return TransportConfig(host_map=self.host_map, **options)
