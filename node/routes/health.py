"""GET /healthz: 200 when the database answers, 503 otherwise."""

from quart import Blueprint, Response

from node.db import is_healthy

blueprint = Blueprint("health", __name__)


@blueprint.get("/healthz")
async def healthz() -> Response:
    if await is_healthy():
        return Response("ok\n", 200, content_type="text/plain")
    return Response("database unavailable\n", 503, content_type="text/plain")
