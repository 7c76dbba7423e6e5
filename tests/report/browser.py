"""Headless Chromium driven over the DevTools protocol on a pipe: no extra driver, no network port.

Chromium's ``--remote-debugging-pipe`` reads protocol commands (JSON, each ended by a NUL byte) on file
descriptor 3 and writes answers and events on descriptor 4 (the transport Puppeteer uses; protocol:
https://chromedevtools.github.io/devtools-protocol/). A page's console messages, uncaught exceptions and
failed loads are collected as it runs, so a test can say "no console errors" about what a person would see.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import select
import shutil
import struct
import subprocess
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--hide-scrollbars", "--remote-debugging-pipe",
         "--font-render-hinting=none"]
AXE = Path(__file__).resolve().parents[2] / "tools" / "axe-core" / "node_modules" / "axe-core" / "axe.min.js"


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


class BrowserError(RuntimeError):
    pass


@dataclass
class Page:
    browser: Browser
    session: str
    problems: list[str] = field(default_factory=list)  # console errors, exceptions, failed loads

    def send(self, method: str, **params: Any) -> dict:
        return self.browser.send(method, params, session=self.session)

    def evaluate(self, expression: str, *, await_promise: bool = False) -> Any:
        answer = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=await_promise)
        if "exceptionDetails" in answer:
            raise BrowserError(f"{expression[:60]}…: {answer['exceptionDetails']}")
        return answer["result"].get("value")

    def goto(self, url: str, *, width: int = 1400, height: int = 900, media: str = "screen") -> None:
        self.send("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1, mobile=False)
        self.send("Emulation.setEmulatedMedia", media=media)
        self.send("Page.navigate", url=url)
        self.browser.wait_for("Page.loadEventFired", self.session)
        self.evaluate("document.fonts.ready.then(() => true)", await_promise=True)

    def screenshot(self, path: Path, *, full_page: bool = True) -> Path:
        params: dict[str, Any] = {"format": "png"}
        if full_page:
            size = self.send("Page.getLayoutMetrics")["cssContentSize"]
            params |= {"captureBeyondViewport": True,
                       "clip": {"x": 0, "y": 0, "width": size["width"], "height": min(size["height"], 16000),
                                "scale": 1}}
        path.write_bytes(base64.b64decode(self.send("Page.captureScreenshot", **params)["data"]))
        return path

    def pdf(self, path: Path) -> Path:
        """Print as a person would (Ctrl+P, background graphics on), with the page's own @page size."""
        data = self.send("Page.printToPDF", printBackground=True, preferCSSPageSize=True)["data"]
        path.write_bytes(base64.b64decode(data))
        return path

    def axe(self, rules: dict | None = None) -> list[dict]:
        """axe-core's violations on the page as it is now (WCAG 2 A/AA and best-practice rules)."""
        if not AXE.is_file():
            raise BrowserError(f"{AXE} is missing: scripts/test installs it (npm ci --prefix tools/axe-core)")
        self.evaluate(AXE.read_text(encoding="utf-8") + "\n;true")
        options = json.dumps({"resultTypes": ["violations"], **({"rules": rules} if rules else {})})
        result = self.evaluate(f"axe.run(document, {options}).then(r => JSON.stringify(r.violations))",
                               await_promise=True)
        return json.loads(result)


class Browser:
    """One headless Chromium; pages share it. Use as a context manager."""

    def __init__(self, chromium: str, profile: Path, timeout: float = 90.0):
        self.timeout = timeout
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()

        def arrange_fds() -> None:  # in the child, before exec: our pipe ends become fds 3 and 4
            a = fcntl.fcntl(to_chrome_r, fcntl.F_DUPFD, 10)
            b = fcntl.fcntl(from_chrome_w, fcntl.F_DUPFD, 10)
            os.dup2(a, 3)
            os.dup2(b, 4)

        self.process = subprocess.Popen(
            [chromium, *FLAGS, f"--user-data-dir={profile}", "about:blank"], stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, pass_fds=(3, 4), preexec_fn=arrange_fds)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._buffer = b""
        self._next_id = 0
        self._events: list[dict] = []
        self.pages: dict[str, Page] = {}

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        with contextlib.suppress(BrowserError, OSError):
            self.send("Browser.close", {})
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for fd in (self._to_chrome, self._from_chrome):
            with contextlib.suppress(OSError):
                os.close(fd)

    # -- protocol -----------------------------------------------------------------------------------

    def _read_message(self, deadline: float) -> dict:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise BrowserError("Chromium did not answer in time")
            ready, _, _ = select.select([self._from_chrome], [], [], left)
            if not ready:
                continue
            chunk = os.read(self._from_chrome, 1 << 20)
            if not chunk:
                raise BrowserError(f"Chromium closed the pipe (exit {self.process.poll()})")
            self._buffer += chunk
        raw, _, self._buffer = self._buffer.partition(b"\0")
        return json.loads(raw)

    def _note(self, message: dict) -> None:
        """Keep an event; record what a person would call an error on the page it belongs to."""
        page = self.pages.get(message.get("sessionId", ""))
        method, params = message.get("method"), message.get("params", {})
        if page is not None:
            if method == "Runtime.exceptionThrown":
                details = params.get("exceptionDetails", {})
                page.problems.append(f"exception: {details.get('exception', {}).get('description') or details}")
            elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "warning", "assert"):
                text = " ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", []))
                page.problems.append(f"console.{params['type']}: {text}")
            elif method == "Log.entryAdded" and params.get("entry", {}).get("level") in ("error", "warning"):
                entry = params["entry"]
                page.problems.append(f"log {entry['level']}: {entry.get('text')} {entry.get('url') or ''}".strip())
        self._events.append(message)

    def send(self, method: str, params: dict, session: str | None = None) -> dict:
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self._to_chrome, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + self.timeout
        while True:
            answer = self._read_message(deadline)
            if answer.get("id") == self._next_id:
                if "error" in answer:
                    raise BrowserError(f"{method}: {answer['error']}")
                return answer.get("result", {})
            self._note(answer)

    def wait_for(self, method: str, session: str) -> dict:
        deadline = time.monotonic() + self.timeout
        for index, event in enumerate(self._events):
            if event.get("method") == method and event.get("sessionId") == session:
                return self._events.pop(index)
        while True:
            message = self._read_message(deadline)
            self._note(message)
            if message.get("method") == method and message.get("sessionId") == session:
                self._events.remove(message)
                return message

    def new_page(self) -> Page:
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        page = Page(self, session)
        self.pages[session] = page
        for domain in ("Page", "Runtime", "Log"):
            page.send(f"{domain}.enable")
        return page


def pdf_page_count(path: Path) -> int:
    import pypdfium2

    document = pypdfium2.PdfDocument(str(path))
    try:
        return len(document)
    finally:
        document.close()


def pdf_pages_as_png(path: Path, out: Path, pages: int = 2, scale: float = 1.0) -> list[Path]:
    """The first ``pages`` pages of a PDF as PNG files (PDFium renders, zlib writes the PNG)."""
    import pypdfium2

    document = pypdfium2.PdfDocument(str(path))
    written = []
    try:
        for number in range(min(pages, len(document))):
            bitmap = document[number].render(scale=scale, rev_byteorder=True)  # RGB(A) byte order
            target = out.with_name(f"{out.stem}-page{number + 1}.png")
            write_png(target, bitmap.buffer, bitmap.width, bitmap.height, bitmap.stride, bitmap.n_channels)
            written.append(target)
    finally:
        document.close()
    return written


def write_png(path: Path, pixels: Any, width: int, height: int, stride: int, channels: int) -> None:
    colour = {3: 2, 4: 6}[channels]  # PNG colour type: truecolour, truecolour with alpha
    raw = bytes(pixels)
    rows = b"".join(b"\0" + raw[y * stride: y * stride + width * channels] for y in range(height))

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, colour, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 6))
                     + chunk(b"IEND", b""))
