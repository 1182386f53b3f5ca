"""`kith serve` for real: a subprocess on loopback answering over HTTP, with one worker and
with two, stopping cleanly on SIGTERM."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from tests.rig.database import empty_schema, postgres_url


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


@pytest.fixture
def env(tmp_path):
    import asyncio

    env = dict(os.environ, KITH_DATA_DIR=str(tmp_path / "data"), KITH_BASE_URL="http://localhost:8000",
               KITH_ADMIN_PASSWORD="served-password")
    env.pop("DATABASE_URL", None)
    if postgres_url():
        env["DATABASE_URL"] = postgres_url()
        asyncio.run(empty_schema(postgres_url()))
    return env


@pytest.mark.parametrize("workers", [1, 2])
def test_serve__answers_over_http_and_stops_on_sigterm(env, workers):
    init = subprocess.run([sys.executable, "-m", "node", "init"], env=env, capture_output=True, text=True, timeout=60)
    assert init.returncode == 0, init.stderr
    posted = subprocess.run([sys.executable, "-m", "node", "post", "admin", "--visibility", "public", "served over http"],
                            env=env, capture_output=True, text=True, timeout=60)
    assert posted.returncode == 0, posted.stderr
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "node", "serve", "--port", str(port), "--workers", str(workers)],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if get(f"{base}/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("the server did not answer /healthz")
        status, body = get(f"{base}/@admin")
        assert status == 200 and "served over http" in body
        status, body = get(f"{base}/@admin.rss")
        assert status == 200 and "served over http" in body
        for _ in range(20):  # several connections, so both workers answer
            assert get(f"{base}/@admin")[0] == 200
    finally:
        server.send_signal(signal.SIGTERM)
        output = server.communicate(timeout=30)[0]
    assert server.returncode == 0, output
    assert "Traceback" not in output


def test_serve__port_taken_is_one_line_and_exit_1(env):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run([sys.executable, "-m", "node", "serve", "--port", str(port)], env=env,
                                capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "cannot listen on 127.0.0.1" in result.stderr and "Traceback" not in result.stderr


def test_worker__runs_alone_and_stops_on_sigterm(env):
    init = subprocess.run([sys.executable, "-m", "node", "init"], env=env, capture_output=True, text=True, timeout=60)
    assert init.returncode == 0, init.stderr
    worker = subprocess.Popen([sys.executable, "-m", "node", "worker"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    # Wait for it to say it runs (start-up takes seconds on a loaded machine): a SIGTERM
    # before its handlers are installed would test nothing.
    seen = []
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not any("worker running" in line for line in seen):
            line = worker.stdout.readline()
            if not line:
                break  # it exited
            seen.append(line)
        assert worker.poll() is None, "".join(seen) + worker.communicate()[0]
    finally:
        worker.send_signal(signal.SIGTERM)
        output = "".join(seen) + worker.communicate(timeout=30)[0]
    assert worker.returncode == 0, output
    assert "worker running" in output and "Traceback" not in output
