"""The Server-Timing header: sent only when KITH_SERVER_TIMING is on, and it measures the
request (benchmarks read it as the node's own time per request)."""

from __future__ import annotations

import dataclasses
import re

from node.app import create_app
from node.instance import prepare_data_dir
from node.settings import load_settings


async def test_server_timing__absent_by_default(client):
    response = await client.get("/login")
    assert response.status_code == 200 and "Server-Timing" not in response.headers


def test_server_timing__setting_is_a_flag(tmp_path):
    env = {"KITH_DATA_DIR": str(tmp_path)}
    assert load_settings(env).server_timing is False
    assert load_settings({**env, "KITH_SERVER_TIMING": "1"}).server_timing is True


async def test_server_timing__reports_the_request_duration_when_on(settings, db):
    timed = dataclasses.replace(settings, server_timing=True)
    app = create_app(timed, prepare_data_dir(timed), manage_database=False)
    async with app.test_app():
        client = app.test_client()
        for path, status in (("/login", 200), ("/no/such/page", 404)):
            response = await client.get(path)
            match = re.fullmatch(r"app;dur=(\d+\.\d\d), cpu;dur=(\d+\.\d\d)",
                                 response.headers.get("Server-Timing", ""))
            assert response.status_code == status and match, path
            assert 0 < float(match.group(1)) < 10_000 and 0 <= float(match.group(2)) < 10_000
