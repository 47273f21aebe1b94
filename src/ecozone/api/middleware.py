"""ASGI middlewares that keep a bad client from taking the service down, and the read cache.

* :class:`Guard`: per-IP and per-token rate limits (token buckets), a request-body size limit
  (``Content-Length`` checked up front and the streamed body counted), and a time limit per
  request; each refusal is the API's error body (429, 413, 503).
* :class:`ReadCache`: GET responses of public reads cached per data generation, with a strong
  ETag on every 200 GET response and ``304 Not Modified`` for a matching ``If-None-Match``.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from ecozone.api.errors import raw_error
from ecozone.api.state import AppState

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

UPLOAD_PATHS = ("/api/v1/observations/import", "/editor")
#: pages may load nothing from another host (the vendored scripts are served here); inline
#: styles are ECharts'.  /docs (Swagger UI starts itself with an inline script) is left out.
SECURITY_HEADERS = [
    (b"content-security-policy", b"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                                 b"img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
]
#: most client addresses and tokens tracked at once (oldest forgotten first)
MAX_KEYS = 10_000


class TokenBucket:
    """``rate`` requests per second with bursts up to ``burst``, per key."""

    def __init__(self, rate: float, burst: int):
        self.rate, self.burst = rate, float(burst)
        self.state: dict[str, tuple[float, float]] = {}
        self.lock = threading.Lock()

    def take(self, key: str) -> float:
        """0 if allowed, else the seconds to wait."""
        if self.rate <= 0:
            return 0.0
        now = time.monotonic()
        with self.lock:
            tokens, last = self.state.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            if tokens < 1:
                self.state[key] = (tokens, now)
                return (1 - tokens) / self.rate
            self.state[key] = (tokens - 1, now)
            if len(self.state) > MAX_KEYS:
                for k in list(self.state)[: MAX_KEYS // 10]:
                    del self.state[k]
            return 0.0


def _header(scope: Scope, name: bytes) -> bytes | None:
    for k, v in scope.get("headers", []):
        if k == name:
            return bytes(v)
    return None


async def _send_raw(send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class BodyTooLarge(Exception):
    pass


class Guard:
    def __init__(self, app: ASGIApp, state: AppState):
        self.app, self.state = app, state
        s = state.settings
        self.per_ip = TokenBucket(s.rate_per_ip, s.burst_per_ip)
        self.per_token = TokenBucket(s.rate_per_token, s.burst_per_token)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        s = self.state.settings
        client = (scope.get("client") or ("?", 0))[0]
        wait = self.per_ip.take(client)
        auth = _header(scope, b"authorization")
        if not wait and auth and scope["method"] not in ("GET", "HEAD"):
            wait = self.per_token.take(hashlib.sha256(auth).hexdigest())
        if wait:
            await _send_raw(send, *raw_error(429, "rate_limited", {"retry_after_s": round(wait, 2)},
                                             {"Retry-After": str(max(1, math.ceil(wait)))}))
            return
        limit = s.max_upload_bytes if scope["path"] in UPLOAD_PATHS else s.max_body_bytes
        length = _header(scope, b"content-length")
        if length is not None:
            try:
                declared = int(length)
            except ValueError:
                declared = limit + 1
            if declared > limit:
                await _send_raw(send, *raw_error(413, "too_large", {"limit_bytes": limit}))
                return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge
            return msg

        started = False

        secure = scope["path"] != "/docs"

        async def tracked(msg: Message) -> None:
            nonlocal started
            if msg["type"] == "http.response.start":
                started = True
                if secure:
                    msg = {**msg, "headers": [*msg.get("headers", []), *SECURITY_HEADERS]}
            await send(msg)

        try:
            await asyncio.wait_for(self.app(scope, counted, tracked), timeout=s.request_timeout_s)
        except BodyTooLarge:
            if not started:
                await _send_raw(send, *raw_error(413, "too_large", {"limit_bytes": limit}))
        except TimeoutError:
            if not started:
                await _send_raw(send, *raw_error(503, "timeout", {"limit_s": s.request_timeout_s}))


def _cacheable(path: str) -> bool:
    if path.startswith("/api/v1/"):
        return not path.startswith(("/api/v1/audit", "/api/v1/me", "/api/v1/users"))
    return path in ("/", "/plans", "/rankings", "/data") or path.startswith(("/cities/", "/targets/"))


class ReadCache:
    def __init__(self, app: ASGIApp, state: AppState):
        self.app, self.state = app, state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        st = self.state
        use_cache = st.settings.public_reads and _cacheable(scope["path"])
        key = (st.generation, scope["method"], scope["path"], scope.get("query_string", b""),
               _header(scope, b"accept") or b"")
        hit = st.cache.get(key) if use_cache else None
        if hit is None:
            status, headers, chunks = 0, [], []

            async def capture(msg: Message) -> None:
                nonlocal status, headers
                if msg["type"] == "http.response.start":
                    status, headers = msg["status"], list(msg.get("headers", []))
                elif msg["type"] == "http.response.body":
                    chunks.append(msg.get("body", b""))

            await self.app(scope, receive, capture)
            body = b"".join(chunks)
            if status == 200:
                if not any(k == b"etag" for k, _ in headers):
                    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
                    headers.append((b"etag", etag.encode()))
                if use_cache and key[0] == st.generation:
                    with st.cache_lock:
                        st.cache[key] = (status, headers, body)
                        while len(st.cache) > st.settings.cache_entries:
                            st.cache.popitem(last=False)
            hit = (status, headers, body)
        status, headers, body = hit
        etag_value = next((v for k, v in headers if k == b"etag"), None)
        inm = _header(scope, b"if-none-match")
        if status == 200 and etag_value is not None and inm is not None and etag_value in [
                t.strip() for t in inm.split(b",")] + ([etag_value] if inm.strip() == b"*" else []):
            await _send_raw(send, 304, [(b"etag", etag_value)], b"")
            return
        await _send_raw(send, status, headers, b"" if scope["method"] == "HEAD" else body)
