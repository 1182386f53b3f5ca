"""`kith serve`: Hypercorn serving the app, one process per worker.

Each worker listens on its own SO_REUSEPORT socket, so the kernel spreads connections over
the workers (with one shared socket, Hypercorn often lands every keep-alive connection on
one worker). The sockets are bound before the workers start, so a taken port is reported
once, here.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import signal
import socket
import time

from node.settings import Settings

log = logging.getLogger(__name__)


class ServeError(RuntimeError):
    """The server could not start; the message says why in one line."""


def serve(settings: Settings, secret: bytes, host: str, port: int, workers: int,
          run_queue_workers: bool = True) -> None:
    """Serve on host:port with `workers` processes until SIGINT or SIGTERM; the first
    process also runs the inbox and delivery workers unless `run_queue_workers` is off."""
    sockets = [_listening_socket(host, port, reuse_port=workers > 1) for _ in range(workers)]
    if workers == 1:
        _run_worker(settings, secret, sockets[0], run_queue_workers)
        return
    _supervise(settings, secret, sockets, run_queue_workers)


def _listening_socket(host: str, port: int, reuse_port: bool) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((host, port))
    except OSError as e:
        sock.close()
        raise ServeError(f"cannot listen on {host}:{port}: {e.strerror}") from None
    sock.listen(1024)
    sock.set_inheritable(True)
    return sock


def _run_worker(settings: Settings, secret: bytes, sock: socket.socket, run_queue_workers: bool) -> None:
    from hypercorn.asyncio import serve as hypercorn_serve
    from hypercorn.config import Config

    from node.app import create_app

    config = Config()
    config.bind = [f"fd://{sock.fileno()}"]
    config.accesslog = None
    config.keep_alive_timeout = 75
    config.graceful_timeout = 10
    app = create_app(settings, secret, run_workers=run_queue_workers)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await hypercorn_serve(app, config, shutdown_trigger=stop.wait)

    try:
        import uvloop  # a faster event loop when installed (it is a dependency on Linux)
    except ImportError:
        asyncio.run(main())
    else:
        uvloop.run(main())


def _supervise(settings: Settings, secret: bytes, sockets: list[socket.socket], run_queue_workers: bool) -> None:
    """Run one process per socket; restart one that dies; stop them all on a signal."""
    context = multiprocessing.get_context("fork")
    stopping = False

    def start(index: int) -> multiprocessing.Process:
        queues = run_queue_workers and index == 0
        process = context.Process(target=_child, args=(settings, secret, sockets[index], queues), daemon=False)
        process.start()
        return process

    def stop(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    processes = {i: start(i) for i in range(len(sockets))}
    while not stopping:
        time.sleep(0.2)
        for i, process in list(processes.items()):
            if not process.is_alive() and not stopping:
                log.warning("worker %s exited with %s; restarting it", process.pid, process.exitcode)
                time.sleep(1)
                processes[i] = start(i)
    for process in processes.values():
        if process.is_alive():
            os.kill(process.pid, signal.SIGTERM)
    for process in processes.values():
        process.join(timeout=15)


def _child(settings: Settings, secret: bytes, sock: socket.socket, run_queue_workers: bool) -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _run_worker(settings, secret, sock, run_queue_workers)
