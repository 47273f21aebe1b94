"""Fixtures of the web tests: a store with the packaged catalogue, the bundled bulletin figures
and three API users, built once and copied per test; the app over it; a real server."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI
from starlette.testclient import TestClient

from ecozone.access.users import create_user
from ecozone.api.app import create_app
from ecozone.api.state import Settings
from ecozone.ingest.observations import ensure_bundled
from ecozone.store.catalogue_load import ensure_loaded
from ecozone.store.db import connect


@dataclass(frozen=True)
class Seeded:
    path: Path
    tokens: dict[str, str]  # role -> token


@pytest.fixture(scope="session")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Seeded:
    path = tmp_path_factory.mktemp("web") / "seed.duckdb"
    con = connect(path)
    ensure_loaded(con)
    ensure_bundled(con)
    tokens = {role: create_user(con, f"{role}-user", role, by="test")[0] for role in ("viewer", "editor", "admin")}
    con.close()
    return Seeded(path, tokens)


@pytest.fixture
def db_copy(seeded: Seeded, tmp_path: Path) -> Path:
    path = tmp_path / "ecozone.duckdb"
    shutil.copy(seeded.path, path)
    return path


def make_client(db: Path, **settings: object) -> TestClient:
    opts: dict[str, object] = {"rate_per_ip": 0, "rate_per_token": 0, "load_bundled": False}
    opts.update(settings)
    return TestClient(create_app(Settings(db=db, **opts)))  # type: ignore[arg-type]


@pytest.fixture
def client(db_copy: Path) -> Iterator[TestClient]:
    with make_client(db_copy) as c:
        yield c


@pytest.fixture
def tokens(seeded: Seeded) -> dict[str, str]:
    return seeded.tokens


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Running:
    url: str
    app: FastAPI


@pytest.fixture
def server(db_copy: Path) -> Iterator[Running]:
    """The app served by uvicorn on a free loopback port in a thread; stopped after the test."""
    app = create_app(Settings(db=db_copy, rate_per_ip=0, rate_per_token=0, load_bundled=False))
    port = free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield Running(f"http://127.0.0.1:{port}", app)
    finally:
        srv.should_exit = True
        thread.join(timeout=10)
