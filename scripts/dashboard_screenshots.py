"""Screenshots of the dashboard for the README (docs/images/), taken with Debian's chromium.

    .venv/bin/python scripts/dashboard_screenshots.py

Serves the bundled data from a throw-away database on a free loopback port; nothing else.
"""

from __future__ import annotations

import shutil
import socket
import tempfile
import threading
import time
from pathlib import Path

import uvicorn
from playwright.sync_api import sync_playwright

from ecozone.api.app import create_app
from ecozone.api.state import Settings

OUT = Path(__file__).resolve().parents[1] / "docs" / "images"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        app = create_app(Settings(db=Path(tmp) / "e.duckdb", rate_per_ip=0))
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
        threading.Thread(target=server.run, daemon=True).start()
        while not server.started:
            time.sleep(0.05)
        base = f"http://127.0.0.1:{port}"
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1280, "height": 1180})
            page.goto(base + "/")
            page.select_option("#map-layer", "air.pm25_annual_mean")
            page.wait_for_timeout(1200)
            page.screenshot(path=str(OUT / "dashboard-home.png"))
            page.set_viewport_size({"width": 1280, "height": 1120})
            page.goto(base + "/targets/T003-4.7-0006")
            page.wait_for_timeout(1500)
            page.screenshot(path=str(OUT / "dashboard-target.png"))
            page.set_viewport_size({"width": 390, "height": 844})
            page.goto(base + "/cities/131000?lang=en")
            page.wait_for_timeout(1500)
            page.screenshot(path=str(OUT / "dashboard-city-phone.png"))
            browser.close()
        server.should_exit = True


if __name__ == "__main__":
    main()
