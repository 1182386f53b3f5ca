"""Which handler takes which inbound activity: a registry keyed by (activity type, object type).

Owns the lookup only; the handlers live in `node/handlers.py` and `node/worker.py` registers
them (the inversion that keeps `federation/` free of `node/`). One handler per key, duplicates
refused (Fedify `ActivityListenerSet`); an activity nobody registered for gets None, and the
caller records it as unhandled. Pure: standard library only; must not import the ORM, Quart,
aiohttp or `node`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from federation.inbound import InboundActivity

Handler = Callable[..., Any]  # node's handlers take the activity plus their own collaborators
Key = tuple[str, str | None]


class HandlerRegistry:
    """Handlers keyed by (activity type, object type); object type None means any object."""

    def __init__(self) -> None:
        self._handlers: dict[Key, Handler] = {}

    def register(self, activity_type: str, object_type: str | None, handler: Handler) -> None:
        """Register `handler` for the pair; raise ValueError if the pair already has one."""
        key = (activity_type, object_type)
        if key in self._handlers:
            raise ValueError(f"a handler is already registered for {key}: {self._handlers[key]}")
        self._handlers[key] = handler

    def handler_for(self, activity: InboundActivity) -> Handler | None:
        """Return the handler for (type, object type), else for (type, any), else None."""
        exact = self._handlers.get((activity.type, activity.object_type))
        return exact or self._handlers.get((activity.type, None))

    def keys(self) -> list[Key]:
        """Return the registered (activity type, object type) pairs, in registration order."""
        return list(self._handlers)
