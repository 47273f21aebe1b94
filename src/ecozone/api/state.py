"""The running service's state: settings, the store connection, the data generation and caches.

The server owns its DuckDB file (DuckDB lets one process write a file), so every change goes
through this process: each accepted write bumps :attr:`AppState.generation`, which keys the
snapshot of evaluated targets, the response cache and the ETags.  Requests read through a
per-thread cursor of the one connection; writes are serialised by a lock and run in a
transaction together with their audit row.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from ecozone.errors import StoreError
from ecozone.store.catalogue_load import ensure_loaded
from ecozone.store.db import connect, transaction
from ecozone.water.registry import ensure_packaged_sections
from ecozone.web.views import Snapshot, build_snapshot

log = logging.getLogger("ecozone.api")


@dataclass
class Settings:
    """What ``ecozone serve`` (or a test) configures."""

    db: Path | str | None = None
    public_reads: bool = True            # False: every read needs a viewer token
    max_upload_bytes: int = 5 * 1024 * 1024
    max_body_bytes: int = 64 * 1024      # any other request body
    rate_per_ip: float = 50.0            # requests per second per client address (0: no limit)
    burst_per_ip: int = 200
    rate_per_token: float = 5.0          # write requests per second per token (0: no limit)
    burst_per_token: int = 20
    request_timeout_s: float = 20.0
    cache_entries: int = 2048
    as_of: int | None = None             # evaluation year (default: this year)
    load_bundled: bool = True            # bring the packaged catalogue and bulletin figures in on start


class AppState:
    def __init__(self, settings: Settings):
        from ecozone.ingest.observations import ensure_bundled

        self.settings = settings
        try:
            self.con = connect(settings.db)
        except duckdb.IOException as exc:
            raise StoreError(f"无法打开数据库（可能被另一进程占用）：{exc}",
                             f"cannot open the database (another process may hold it): {exc}") from exc
        if settings.load_bundled:
            ensure_loaded(self.con)
            ensure_bundled(self.con)
        with transaction(self.con):  # the packaged water sections (edits in the store are kept)
            ensure_packaged_sections(self.con)
        self.generation = 1
        self.write_lock = threading.Lock()
        self._snap_lock = threading.Lock()
        self._snapshot: tuple[int, Snapshot] | None = None
        self._local = threading.local()
        self._cursor_lock = threading.Lock()
        self._warmer: threading.Thread | None = None
        self.cache: OrderedDict[tuple[Any, ...], tuple[int, list[tuple[bytes, bytes]], bytes]] = OrderedDict()
        self.cache_lock = threading.Lock()

    # -------------------------------------------------------------------------- reading

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """This thread's cursor on the store (DuckDB connections are not shared across threads)."""
        cur = getattr(self._local, "cur", None)
        if cur is None:
            with self._cursor_lock:  # the connection takes one call at a time (DuckDB refuses, not waits)
                cur = self._local.cur = self.con.cursor()
        return cur

    def snapshot(self) -> Snapshot:
        """Every target evaluated for the current generation (built once per generation)."""
        gen = self.generation
        snap = self._snapshot
        if snap is not None and snap[0] == gen:
            return snap[1]
        with self._snap_lock:
            if self._snapshot is None or self._snapshot[0] != gen:
                self._snapshot = (gen, build_snapshot(self.cursor(), self.settings.as_of))
            return self._snapshot[1]

    # -------------------------------------------------------------------------- writing

    @contextmanager
    def writing(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """One write: serialised, in a transaction, and a new data generation when it commits."""
        with self.write_lock:
            cur = self.cursor()
            with transaction(cur):
                yield cur
            self.generation += 1
            with self.cache_lock:
                self.cache.clear()
        # evaluate the new generation now, in the background, so the next page need not wait
        self._warmer = threading.Thread(target=self._warm, name="ecozone-snapshot", daemon=True)
        self._warmer.start()

    def _warm(self) -> None:
        try:
            self.snapshot()
        except duckdb.Error:  # the service closed meanwhile: the next start evaluates anyway
            log.debug("snapshot warm-up skipped", exc_info=True)

    def close(self) -> None:
        if self._warmer is not None:  # let a running evaluation finish before the store closes
            self._warmer.join(timeout=60)
        # a computation whose request timed out may still be running on its cursor: wait for it
        for _ in range(300):
            try:
                with self._cursor_lock:
                    self.con.close()
                return
            except duckdb.Error:
                time.sleep(0.1)
        log.warning("the store stayed busy for 30 s; closing without waiting")
