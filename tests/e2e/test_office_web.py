"""`kucun office --web` serves the console to a browser (textual-serve)."""

from __future__ import annotations

import signal
import subprocess
import time

import httpx

from tests.e2e.test_server_killed_mid_sync import free_port, kucun


def test_the_console_is_served_to_browsers() -> None:
    port = free_port()
    web = subprocess.Popen(kucun("office", "--web", "--port", str(port), "--server", "http://127.0.0.1:9"),
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        page = None
        while time.monotonic() < deadline and web.poll() is None:
            try:
                page = httpx.get(f"http://127.0.0.1:{port}/", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        assert page is not None and page.status_code == 200, web.stdout.read() if web.stdout else ""
        assert "kucun office" in page.text and "ws://" in page.text  # the page opens a socket to the app
    finally:
        web.send_signal(signal.SIGINT)
        try:
            web.wait(timeout=10)
        except subprocess.TimeoutExpired:
            web.kill()
