"""A tiny client of the Chrome DevTools Protocol over aiohttp, for scripts/pageshots.py.

Starts Debian's headless chromium on loopback with a throwaway profile, drives one tab:
navigate, set cookies and the emulated screen, submit a form with a chosen file, take a
full-page screenshot, run a script (axe-core) and read what the console said. Only what
the page screenshots need; no dependency beyond aiohttp, which Kith already has.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import aiohttp

CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run", "--hide-scrollbars",
                  "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0")
START_TIMEOUT = 20.0
LOAD_TIMEOUT = 20.0
MAX_SHOT_HEIGHT = 8000  # px: longer pages are cut (the PNG stays a sane size)


def chromium_path() -> str | None:
    """Return the chromium executable, or None when it is not installed."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


class CDPError(RuntimeError):
    """Chromium answered a command with an error, or did not start."""


class Chromium:
    """One headless chromium and one tab of it; an async context manager."""

    def __init__(self, executable: str) -> None:
        self.executable = executable
        self.profile = Path(tempfile.mkdtemp(prefix="kith-chromium-"))
        self.process: subprocess.Popen | None = None
        self.session: aiohttp.ClientSession | None = None
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self.console: list[str] = []  # errors and warnings the pages logged (CSP refusals too)
        self._ids = itertools.count(1)
        self._pending: dict[int, asyncio.Future] = {}
        self._waiters: list[tuple[str, asyncio.Future]] = []
        self._reader: asyncio.Task | None = None

    async def __aenter__(self) -> Chromium:
        self.process = subprocess.Popen([self.executable, *CHROMIUM_FLAGS, f"--user-data-dir={self.profile}",
                                         "about:blank"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            port = await self._devtools_port()
            self.session = aiohttp.ClientSession()
            async with self.session.get(f"http://127.0.0.1:{port}/json/list") as response:
                page = next(t for t in await response.json() if t["type"] == "page")
            self.ws = await self.session.ws_connect(page["webSocketDebuggerUrl"], max_msg_size=0)
            self._reader = asyncio.create_task(self._read())
            for domain in ("Page", "Runtime", "Log", "Network"):
                await self.send(f"{domain}.enable")
        except BaseException:
            await self.close()
            raise
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
        if self.ws is not None:
            await self.ws.close()
        if self.session is not None:
            await self.session.close()
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.profile, ignore_errors=True)

    async def _devtools_port(self) -> int:
        """Chromium writes its chosen port to DevToolsActivePort in the profile."""
        marker = self.profile / "DevToolsActivePort"
        deadline = asyncio.get_running_loop().time() + START_TIMEOUT
        while asyncio.get_running_loop().time() < deadline:
            if self.process.poll() is not None:
                raise CDPError(f"chromium exited with status {self.process.returncode}")
            if marker.exists() and marker.read_text().strip():
                return int(marker.read_text().split()[0])
            await asyncio.sleep(0.1)
        raise CDPError(f"chromium did not open its DevTools port within {START_TIMEOUT} s")

    async def _read(self) -> None:
        async for message in self.ws:
            data = json.loads(message.data)
            if "id" in data:
                future = self._pending.pop(data["id"], None)
                if future is not None and not future.done():
                    future.set_result(data)
                continue
            self._event(data.get("method", ""), data.get("params", {}))

    def _event(self, method: str, params: dict) -> None:
        if method == "Log.entryAdded" and params["entry"]["level"] in ("error", "warning"):
            self.console.append(f"{params['entry'].get('url', '')}: {params['entry']['text']}")
        if method == "Runtime.exceptionThrown":
            self.console.append(params["exceptionDetails"].get("text", "exception"))
        for name, future in list(self._waiters):
            if name == method and not future.done():
                future.set_result(params)
                self._waiters.remove((name, future))

    async def send(self, method: str, **params: Any) -> dict:
        """Send one command and return its result (raise CDPError on an error answer)."""
        number = next(self._ids)
        future = asyncio.get_running_loop().create_future()
        self._pending[number] = future
        await self.ws.send_str(json.dumps({"id": number, "method": method, "params": params}))
        answer = await asyncio.wait_for(future, LOAD_TIMEOUT)
        if "error" in answer:
            raise CDPError(f"{method}: {answer['error'].get('message')}")
        return answer.get("result", {})

    def _expect(self, method: str) -> asyncio.Future:
        future = asyncio.get_running_loop().create_future()
        self._waiters.append((method, future))
        return future

    # --- what the screenshots need ---------------------------------------------------------

    async def screen(self, width: int, dark: bool) -> None:
        """Emulate a screen `width` CSS px wide (a phone below 600), in light or dark."""
        await self.send("Emulation.setDeviceMetricsOverride", width=width, height=900,
                        deviceScaleFactor=1, mobile=width < 600)
        await self.send("Emulation.setEmulatedMedia", media="screen",
                        features=[{"name": "prefers-color-scheme", "value": "dark" if dark else "light"}])

    async def set_cookie(self, url: str, name: str, value: str) -> None:
        await self.send("Network.setCookie", url=url, name=name, value=value, httpOnly=True)

    async def clear_cookies(self) -> None:
        await self.send("Network.clearBrowserCookies")

    async def goto(self, url: str) -> None:
        loaded = self._expect("Page.loadEventFired")
        await self.send("Page.navigate", url=url)
        await asyncio.wait_for(loaded, LOAD_TIMEOUT)

    async def evaluate(self, expression: str, *, wait: bool = False) -> Any:
        """Run `expression` in the page (DevTools is not bound by the page's CSP)."""
        result = await self.send("Runtime.evaluate", expression=expression, awaitPromise=wait,
                                 returnByValue=True)
        if "exceptionDetails" in result:
            raise CDPError(f"script failed: {result['exceptionDetails'].get('text')}")
        return result.get("result", {}).get("value")

    async def submit(self, form: str, fields: dict[str, str], files: dict[str, Path] | None = None) -> None:
        """Fill `fields` (selector -> text), choose `files` (selector -> path), submit `form`
        as its submit button would, and wait for the answer page."""
        if files:
            document = await self.send("DOM.getDocument")
        for selector, path in (files or {}).items():
            node = await self.send("DOM.querySelector", nodeId=document["root"]["nodeId"], selector=selector)
            await self.send("DOM.setFileInputFiles", files=[str(path)], nodeId=node["nodeId"])
        fill = "".join(f"document.querySelector({json.dumps(s)}).value = {json.dumps(v)};" for s, v in fields.items())
        loaded = self._expect("Page.loadEventFired")
        await self.evaluate(fill + f"document.querySelector({json.dumps(form)}).requestSubmit();")
        await asyncio.wait_for(loaded, LOAD_TIMEOUT)

    async def images_loaded(self) -> None:
        """Wait until every image of the page has loaded or failed (lazy ones included,
        once the viewport is as tall as the page)."""
        await self.evaluate("Promise.all([...document.images].map(i => i.complete ? 0 : "
                            "new Promise(r => { i.addEventListener('load', r); i.addEventListener('error', r); })))",
                            wait=True)

    async def screenshot(self, width: int, path: Path) -> None:
        """Save the whole page (up to MAX_SHOT_HEIGHT px) as a PNG at `path`."""
        metrics = await self.send("Page.getLayoutMetrics")
        height = min(int(metrics["cssContentSize"]["height"]), MAX_SHOT_HEIGHT)
        await self.send("Emulation.setDeviceMetricsOverride", width=width, height=height,
                        deviceScaleFactor=1, mobile=width < 600)
        await asyncio.wait_for(self.images_loaded(), LOAD_TIMEOUT)
        metrics = await self.send("Page.getLayoutMetrics")
        height = min(int(metrics["cssContentSize"]["height"]), MAX_SHOT_HEIGHT)
        shot = await self.send("Page.captureScreenshot", format="png", captureBeyondViewport=True,
                               clip={"x": 0, "y": 0, "width": width, "height": height, "scale": 1})
        path.write_bytes(base64.b64decode(shot["data"]))

    async def press(self, key: str) -> None:
        """Press and release one key (Tab, Enter, " "), as a keyboard would."""
        codes = {"Tab": 9, "Enter": 13, " ": 32}
        text = {"Enter": "\r", " ": " "}.get(key, "")
        for kind in ("keyDown", "keyUp"):
            await self.send("Input.dispatchKeyEvent", type=kind, key=key, code=key if key != " " else "Space",
                            windowsVirtualKeyCode=codes[key], text=text if kind == "keyDown" else "")

    async def tab_to(self, selector: str, limit: int = 200) -> int:
        """Press Tab until the focused element matches `selector`; return how many presses
        it took (CDPError when it is not reachable by keyboard within `limit`)."""
        for presses in range(1, limit + 1):
            await self.press("Tab")
            if await self.evaluate(f"document.activeElement.matches({json.dumps(selector)})"):
                return presses
        raise CDPError(f"{selector} not reached with {limit} presses of Tab")

    async def viewport_shot(self, path: Path) -> None:
        shot = await self.send("Page.captureScreenshot", format="png")
        path.write_bytes(base64.b64decode(shot["data"]))

    async def overflow(self) -> list[str]:
        """Return the elements wider than the viewport (horizontal overflow on a phone)."""
        return await self.evaluate(
            "(() => { const w = document.documentElement.clientWidth; return [...document.querySelectorAll('body *')]"
            ".filter(e => e.getBoundingClientRect().right > w + 1)"
            ".map(e => e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).split(' ').join('.') : ''))"
            ".slice(0, 10); })()")
