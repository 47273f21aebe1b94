"""API users and their tokens: one service shared by ``ecozone users ...`` and the admin API.

A token is 32 random bytes (``secrets.token_urlsafe``), shown once when it is created; the store
keeps only its SHA-256.  A fast hash is enough here: the token carries 256 bits of entropy, so
it cannot be guessed from its hash the way a password can (no salt or slow hash is needed).
Roles are ordered: a viewer reads (when reads are private), an editor also writes observations,
corrections and judgements, an admin also reads the audit log and manages users.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import duckdb

from ecozone.access.audit import record
from ecozone.errors import InputError, clip
from ecozone.store.db import transaction

TOKEN_PREFIX = "ecz_"


class Role(StrEnum):
    VIEWER = "viewer"
    EDITOR = "editor"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return ROLE_ORDER.index(self)

    def allows(self, needed: Role) -> bool:
        return self.rank >= needed.rank


ROLE_ORDER = [Role.VIEWER, Role.EDITOR, Role.ADMIN]
ROLE_ZH = {Role.VIEWER: "查看者", Role.EDITOR: "编辑者", Role.ADMIN: "管理员"}


def parse_role(value: str) -> Role:
    v = value.strip().lower()
    for r in Role:
        if v in (r.value, ROLE_ZH[r]):
            return r
    raise InputError(f"未知角色 {clip(value)!r}：可用 viewer、editor、admin",
                     f"unknown role {clip(value)!r}: one of viewer, editor, admin", column="role")


@dataclass(frozen=True)
class Principal:
    """The user behind a request's token."""

    user_id: int
    name: str
    role: Role
    token_id: int


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _new_token(con: duckdb.DuckDBPyConnection, user_id: int, by: str) -> tuple[str, int]:
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = con.execute(
        "INSERT INTO api_token (user_id, prefix, token_sha256, created_by) VALUES (?, ?, ?, ?) RETURNING token_id",
        [user_id, token[:10], token_hash(token), by],
    ).fetchone()
    assert row is not None
    return token, int(row[0])


def _user_id(con: duckdb.DuckDBPyConnection, name: str) -> int:
    row = con.execute("SELECT user_id FROM api_user WHERE name = ?", [name]).fetchone()
    if row is None:
        raise InputError(f"没有用户 {clip(name)!r}", f"no user {clip(name)!r}", value=name, code="not_found")
    return int(row[0])


def create_user(con: duckdb.DuckDBPyConnection, name: str, role: str, *, by: str, note: str | None = None,
                client: str | None = None) -> tuple[str, int]:
    """Create ``name`` with ``role`` and a first token; return (token, token id).  Audited."""
    name = name.strip()
    if not name or len(name) > 64:
        raise InputError("用户名须为 1–64 个字符", "a user name has 1-64 characters", value=name)
    r = parse_role(role)
    with transaction(con):
        if con.execute("SELECT 1 FROM api_user WHERE name = ?", [name]).fetchone():
            raise InputError(f"用户 {clip(name)!r} 已存在", f"user {clip(name)!r} already exists", value=name,
                             code="conflict")
        row = con.execute("INSERT INTO api_user (name, role, created_by, note) VALUES (?, ?, ?, ?) RETURNING user_id",
                          [name, r.value, by, note]).fetchone()
        assert row is not None
        token, token_id = _new_token(con, int(row[0]), by)
        record(con, actor=by, action="user.create", obj=name, before=None,
               after={"name": name, "role": r.value, "token_id": token_id}, client=client)
    return token, token_id


def issue_token(con: duckdb.DuckDBPyConnection, name: str, *, by: str, client: str | None = None) -> tuple[str, int]:
    """A further token for an existing user (e.g. to rotate); return (token, token id).  Audited."""
    with transaction(con):
        uid = _user_id(con, name)
        token, token_id = _new_token(con, uid, by)
        record(con, actor=by, action="token.create", obj=name, before=None, after={"token_id": token_id},
               client=client)
    return token, token_id


def revoke(con: duckdb.DuckDBPyConnection, *, name: str | None = None, token_id: int | None = None, by: str,
           client: str | None = None) -> int:
    """Revoke every live token of user ``name``, or the one token ``token_id``; return how many."""
    if (name is None) == (token_id is None):
        raise InputError("请指定用户名或令牌编号之一", "give a user name or a token id", code="bad_input")
    with transaction(con):
        if name is not None:
            uid = _user_id(con, name)
            ids = [r[0] for r in con.execute(
                "SELECT token_id FROM api_token WHERE user_id = ? AND revoked_at IS NULL", [uid]).fetchall()]
        else:
            ids = [r[0] for r in con.execute(
                "SELECT token_id FROM api_token WHERE token_id = ? AND revoked_at IS NULL", [token_id]).fetchall()]
            if not ids:
                raise InputError(f"没有有效的令牌 {token_id}", f"no live token {token_id}", value=token_id,
                                 code="not_found")
        if ids:
            con.execute("UPDATE api_token SET revoked_at = current_timestamp, revoked_by = ? "
                        "WHERE list_contains(?, token_id)", [by, ids])
            record(con, actor=by, action="token.revoke", obj=name or str(token_id), before={"live": ids},
                   after={"revoked": ids}, client=client)
    return len(ids)


def list_users(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    cur = con.execute("""
        SELECT u.name, u.role, u.created_at, u.created_by,
               count(t.token_id) FILTER (WHERE t.revoked_at IS NULL) AS live_tokens,
               count(t.token_id) FILTER (WHERE t.revoked_at IS NOT NULL) AS revoked_tokens,
               string_agg(t.token_id || ':' || t.prefix || '…', ' ' ORDER BY t.token_id)
                   FILTER (WHERE t.revoked_at IS NULL) AS tokens
        FROM api_user u LEFT JOIN api_token t ON t.user_id = u.user_id
        GROUP BY ALL ORDER BY u.name""")
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def authenticate(con: duckdb.DuckDBPyConnection, token: str) -> Principal | None:
    """The user of a live token, or None (unknown or revoked)."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    row = con.execute(
        "SELECT u.user_id, u.name, u.role, t.token_id FROM api_token t JOIN api_user u ON u.user_id = t.user_id "
        "WHERE t.token_sha256 = ? AND t.revoked_at IS NULL", [token_hash(token)]).fetchone()
    if row is None:
        return None
    return Principal(int(row[0]), str(row[1]), Role(row[2]), int(row[3]))
