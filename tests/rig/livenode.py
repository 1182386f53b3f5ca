"""The Kith app served for real by Hypercorn on 127.0.0.1, in the test's own event loop.

The listening socket is bound first (port 0), so the settings can name the port
(`http://127.0.0.1:<port>`) before the app exists, and no other process can take the port
in between. The database is the `db` fixture's: the app runs with manage_database=False.

A test module opts in by importing the fixtures and pointing `settings` at the live ones,
so `db`, `uris` and `make_account` (tests/conftest.py) all use the node's real base URL:

    from tests.rig.fixtures import fediverse  # noqa: F401
    from tests.rig.livenode import live_node, live_settings, node_socket  # noqa: F401

    @pytest.fixture
    def settings(live_settings):
        return live_settings

A module-level LIVE_NODE_OPTIONS dict is passed to create_app, e.g. {"run_workers": True}.
"""

from __future__ import annotations

import asyncio
import socket
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, AsyncIterator, Mapping

import aiohttp
import pytest
from hypercorn.asyncio import serve
from hypercorn.config import Config

from federation.transport import TransportConfig
from node.app import create_app
from node.instance import prepare_data_dir
from node.settings import Settings, load_settings
from tests.rig.database import postgres_url

STARTUP_TIMEOUT = 10.0


@dataclass
class LiveNode:
    """A running node: its settings, app and base URL."""

    settings: Settings
    app: Any
    port: int

    @property
    def base_url(self) -> str:
        return self.settings.base_url

    @property
    def host(self) -> str:
        """host:port, the domain of its accounts' handles."""
        return self.settings.host

    def url(self, path: str) -> str:
        return self.base_url + path


def bind_loopback() -> socket.socket:
    """Return a listening TCP socket on 127.0.0.1 with a free port."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    return sock


def settings_for(port: int, data_dir, extra_env: Mapping[str, str] | None = None) -> Settings:
    """Settings for a node at http://127.0.0.1:<port>, same database choice as conftest."""
    env = {
        "KITH_DATA_DIR": str(data_dir),
        "KITH_BASE_URL": f"http://127.0.0.1:{port}",
        # The node must reach loopback services (fake servers are mapped; this covers the rest).
        "KITH_ALLOW_PRIVATE_ADDRESSES": "1",
        **(extra_env or {}),
    }
    if postgres_url():
        env["DATABASE_URL"] = postgres_url()
    return load_settings(env)


@asynccontextmanager
async def run_node(settings: Settings, sock: socket.socket, *,
                   host_map: Mapping[str, tuple[str, int]] | None = None,
                   **app_options: Any) -> AsyncIterator[LiveNode]:
    """Serve the app on `sock` (ownership passes to Hypercorn) until the block ends.

    The database must already be open. `host_map` routes the node's outgoing requests to
    fake servers; `app_options` go to create_app (e.g. run_workers=True).
    """
    port = sock.getsockname()[1]
    app = create_app(settings, prepare_data_dir(settings), manage_database=False,
                     **_transport_option(settings, host_map), **app_options)
    config = Config()
    config.bind = [f"fd://{sock.detach()}"]
    config.accesslog = None
    config.graceful_timeout = 2
    stop = asyncio.Event()
    task = asyncio.create_task(serve(app, config, shutdown_trigger=stop.wait))
    try:
        await _wait_until_healthy(f"http://127.0.0.1:{port}/healthz", task)
        yield LiveNode(settings, app, port)
    finally:
        stop.set()
        await task


def _transport_option(settings: Settings, host_map: Mapping[str, tuple[str, int]] | None) -> dict:
    """create_app's transport_config for `host_map` (none: the node's default transport)."""
    if host_map is None:
        return {}
    # host_map is passed live (not copied): servers the test adds later stay reachable.
    config = TransportConfig(allow_private=settings.allow_private_addresses, host_map=host_map)
    return {"transport_config": config}


async def _wait_until_healthy(url: str, task: asyncio.Task) -> None:
    """Return once the node answers /healthz; raise if Hypercorn stopped or it took too long."""
    deadline = asyncio.get_running_loop().time() + STARTUP_TIMEOUT
    async with aiohttp.ClientSession() as session:
        while True:
            if task.done():
                task.result()  # raises the startup error
                raise RuntimeError("the node stopped during startup")
            try:
                async with session.get(url) as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"the node did not answer {url} within {STARTUP_TIMEOUT} s")
            await asyncio.sleep(0.02)


# --- fixtures ------------------------------------------------------------------------------

@pytest.fixture
def node_socket():
    """The live node's listening socket, bound before the settings are made."""
    sock = bind_loopback()
    yield sock
    sock.close()  # a no-op once Hypercorn took it over (detached)


@pytest.fixture
def live_settings(tmp_path, node_socket) -> Settings:
    return settings_for(node_socket.getsockname()[1], tmp_path / "data")


@pytest.fixture
async def live_node(request, settings, db, fediverse, node_socket):
    """The node served on 127.0.0.1, its outgoing requests mapped to the fake fediverse.

    A test module may set LIVE_NODE_OPTIONS = {...} for create_app (e.g. run_workers=True).
    """
    if settings.base_url != f"http://127.0.0.1:{node_socket.getsockname()[1]}":
        raise RuntimeError("point the `settings` fixture at `live_settings` to use live_node")
    options = getattr(request.module, "LIVE_NODE_OPTIONS", {})
    async with run_node(settings, node_socket, host_map=fediverse.host_map, **options) as node:
        yield node
