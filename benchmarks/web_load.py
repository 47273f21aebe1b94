"""Load benchmark of the web service on loopback: latency percentiles at fixed request rates.

    python -m benchmarks.web_load                       # cached and uncached reads, rates 50..800/s
    python -m benchmarks.web_load --rates 100 200 --seconds 3

Starts ``ecozone serve`` in a subprocess (one uvicorn worker) on a copy of a database loaded
with the bundled data, on 127.0.0.1 only, with the per-client rate limit switched off (the
load comes from one address).  An open-loop generator sends requests at a fixed rate (each
request is timed from the moment it was *due*, so a slow server cannot hide queueing:
no coordinated omission) over a mix of the main reads: the home page, a city page, a target
page, target lists with filters, tracking verdicts, one target.  "cached" repeats a fixed set
of URLs (the server answers from its per-generation cache); "uncached" runs the server with
the cache off so every request is computed.  Bounded: each step runs ``--seconds``, at most
``--max-inflight`` requests are outstanding, and the server is stopped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np

READS = [
    "/", "/cities/131000", "/targets/T003-4.7-0006", "/api/v1/targets?region=131000",
    "/api/v1/targets?region=130000&domain=air&kind=binding", "/api/v1/tracking?region=130000&kind=binding",
    "/api/v1/targets/T002-0016", "/api/v1/plans",
]


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _prepare_db(folder: Path) -> Path:
    db = folder / "bench.duckdb"
    env = {**os.environ, "ECOZONE_DB": str(db)}
    subprocess.run([sys.executable, "-c", "from ecozone.cli import app; app()", "db", "load"], check=True, env=env,
                   stdout=subprocess.DEVNULL)
    return db


class Server:
    def __init__(self, db: Path, *, cache: bool):
        self.port = _port()
        code = (
            "import uvicorn; from ecozone.api.app import create_app; from ecozone.api.state import Settings; "
            f"app = create_app(Settings(db={str(db)!r}, rate_per_ip=0, cache_entries={2048 if cache else 0})); "
            f"uvicorn.run(app, host='127.0.0.1', port={self.port}, log_level='warning')"
        )
        self.proc = subprocess.Popen([sys.executable, "-c", code])
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/api/v1/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("server did not start")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


class Conn:
    """One keep-alive HTTP/1.1 connection, one request at a time: a minimal client, so that the
    load generator's own CPU time (it shares the 2 cores with the server) stays small."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.reader, self.writer = reader, writer

    async def get(self, path: str) -> int:
        self.writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = 0
        for line in head.split(b"\r\n"):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        await self.reader.readexactly(length)
        return status


async def _step(host: str, port: int, rate: float, seconds: float, max_inflight: int) -> dict[str, float]:
    n = int(rate * seconds)
    latencies: list[float] = []
    errors = 0
    dropped = 0
    pool: asyncio.Queue[Conn] = asyncio.Queue()
    for _ in range(max_inflight):
        pool.put_nowait(Conn(*await asyncio.open_connection(host, port)))
    start = time.perf_counter() + 0.05

    async def one(i: int, due: float, conn: Conn) -> None:
        nonlocal errors
        try:
            if await conn.get(READS[i % len(READS)]) != 200:
                errors += 1
            pool.put_nowait(conn)
        except (OSError, asyncio.IncompleteReadError, ValueError):
            errors += 1
            pool.put_nowait(Conn(*await asyncio.open_connection(host, port)))
        latencies.append(time.perf_counter() - due)

    tasks = []
    for i in range(n):
        due = start + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        if pool.empty():
            dropped += 1  # every connection busy: counted as a failure to serve the rate
            continue
        tasks.append(asyncio.create_task(one(i, due, pool.get_nowait())))
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - start
    while not pool.empty():
        pool.get_nowait().writer.close()
    lat = np.array(latencies) * 1000
    return {
        "rate": rate, "sent": len(tasks), "dropped": dropped, "errors": errors,
        "achieved_rps": round(len(latencies) / elapsed, 1),
        "p50_ms": round(float(np.percentile(lat, 50)), 1) if len(lat) else float("nan"),
        "p95_ms": round(float(np.percentile(lat, 95)), 1) if len(lat) else float("nan"),
        "p99_ms": round(float(np.percentile(lat, 99)), 1) if len(lat) else float("nan"),
    }


def run(rates: list[float], seconds: float, max_inflight: int) -> dict[str, list[dict[str, float]]]:
    out: dict[str, list[dict[str, float]]] = {}
    with tempfile.TemporaryDirectory(prefix="ecozone-bench-") as tmp:
        base = _prepare_db(Path(tmp))
        for mode in ("cached", "uncached"):
            db = Path(tmp) / f"{mode}.duckdb"
            shutil.copy(base, db)
            server = Server(db, cache=mode == "cached")
            try:
                for u in READS:  # warm: the snapshot of evaluated targets, and the cache
                    httpx.get(server.url + u, timeout=30)
                out[mode] = []
                for rate in rates:
                    res = asyncio.run(_step("127.0.0.1", server.port, rate, seconds, max_inflight))
                    out[mode].append(res)
                    print(mode, json.dumps(res), flush=True)
                    if res["p95_ms"] > 1000 or res["dropped"] > 0.2 * res["sent"]:
                        break  # far past saturation: stop this mode
            finally:
                server.stop()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rates", type=float, nargs="+", default=[50, 100, 200, 300, 400, 600, 800])
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--max-inflight", type=int, default=64)
    args = ap.parse_args()
    results = run(args.rates, args.seconds, args.max_inflight)
    for mode, steps in results.items():
        ok = [s["rate"] for s in steps if s["p95_ms"] < 100 and not s["dropped"] and not s["errors"]]
        print(f"{mode}: highest fixed rate with p95 < 100 ms: {max(ok) if ok else 'none'} req/s")


if __name__ == "__main__":
    main()
