"""``ecozone serve``, ``ecozone site`` and ``ecozone users ...``: the web face and its users."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ecozone.cli.common import Column, DbOption, Format, FormatOption, console, render, say, store

users_app = typer.Typer(help="API 用户与令牌 / API users and tokens (stored hashed)", no_args_is_help=True)
ByOpt = Annotated[str, typer.Option("--by", help="操作人 / who does this")]

# Errors (EcozoneError) reach the root command group, which prints them in the user's language
# with their exit code (cli/common.EcozoneGroup).


def serve(
    host: Annotated[str, typer.Option("--host", help="监听地址 / address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="端口 / port")] = 8000,
    private: Annotated[bool, typer.Option("--private-reads", help="读取也需要令牌 / reads need a viewer token")] = False,
    rate: Annotated[float, typer.Option("--rate-per-ip", help="每个客户端每秒请求数上限，0 为不限 / requests per second per client (0: no limit)")] = 50.0,
    max_upload_mb: Annotated[float, typer.Option("--max-upload-mb", help="上传文件大小上限 / largest upload (MB)")] = 5.0,
    year: Annotated[int | None, typer.Option("--year", "-y", help="评估年 / evaluation year")] = None,
    proxy: Annotated[str | None, typer.Option("--trusted-proxy", help="信任其 X-Forwarded-For 的反向代理地址 / address of a reverse proxy whose X-Forwarded-For is trusted")] = None,
    db: DbOption = None,
) -> None:
    """启动网页与 API 服务 / serve the dashboard and the REST API."""
    import uvicorn

    from ecozone.api.app import create_app
    from ecozone.api.state import Settings

    settings = Settings(db=db, public_reads=not private, rate_per_ip=rate,
                        max_upload_bytes=int(max_upload_mb * 1024 * 1024), as_of=year)
    app = create_app(settings)
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    console.print(say(f"仪表盘：http://{shown}:{port}/   API 文档：http://{shown}:{port}/docs   （Ctrl+C 停止）",
                      f"dashboard: http://{shown}:{port}/   API docs: http://{shown}:{port}/docs   (Ctrl+C to stop)"))
    uvicorn.run(app, host=host, port=port, log_level="warning", timeout_keep_alive=5, limit_concurrency=200,
                h11_max_incomplete_event_size=64 * 1024, proxy_headers=proxy is not None,
                forwarded_allow_ips=proxy or "127.0.0.1")


def site(
    out: Annotated[Path, typer.Option("--out", "-o", help="输出目录 / output folder")],
    year: Annotated[int | None, typer.Option("--year", "-y", help="评估年 / evaluation year")] = None,
    db: DbOption = None,
) -> None:
    """导出公开页面为静态网站 / export the public pages as a static site."""
    from ecozone.ingest.observations import ensure_bundled
    from ecozone.web.site import export_site

    with store(db) as con:
        ensure_bundled(con)
        res = export_site(con, out, as_of=year)
    console.print(say(f"已导出 {res.pages} 个页面到 {res.out}（入口 {res.out / 'index.html'}）",
                      f"exported {res.pages} pages to {res.out} (start at {res.out / 'index.html'})"))


@users_app.command("create")
def users_create(
    name: Annotated[str, typer.Argument(help="用户名 / user name")],
    role: Annotated[str, typer.Option("--role", help="viewer, editor, admin")] = "editor",
    by: ByOpt = "admin",
    note: Annotated[str | None, typer.Option("--note")] = None,
    db: DbOption = None,
) -> None:
    """创建用户并生成令牌（只显示一次）/ create a user and its token (shown once)."""
    from ecozone.access.users import create_user

    with store(db, load=False) as con:
        token, token_id = create_user(con, name, role, by=by, note=note)
    console.print(say(f"已创建 {name}（{role}），令牌 {token_id}：", f"created {name} ({role}), token {token_id}:"))
    console.print(token, soft_wrap=True, highlight=False)
    console.print(say("请妥善保存：令牌只显示这一次，库中只存其哈希。", "Keep it safe: it is shown only now; the store keeps only its hash."), style="dim")


@users_app.command("token")
def users_token(name: Annotated[str, typer.Argument(help="用户名 / user name")], by: ByOpt = "admin",
                db: DbOption = None) -> None:
    """为用户再生成一个令牌 / issue a further token for a user."""
    from ecozone.access.users import issue_token

    with store(db, load=False) as con:
        token, token_id = issue_token(con, name, by=by)
    console.print(say(f"令牌 {token_id}：", f"token {token_id}:"))
    console.print(token, soft_wrap=True, highlight=False)


@users_app.command("list")
def users_list(fmt: FormatOption = Format.table, db: DbOption = None) -> None:
    """列出用户与有效令牌 / list users and their live tokens."""
    from ecozone.access.users import list_users

    with store(db, load=False) as con:
        rows = list_users(con)
    render(rows, [Column("name", "用户", "user"), Column("role", "角色", "role"), Column("live_tokens", "有效令牌", "live"),
                  Column("revoked_tokens", "已撤销", "revoked"), Column("tokens", "令牌", "tokens"),
                  Column("created_at", "创建时间", "created"), Column("created_by", "创建人", "by")], fmt,
           say("API 用户", "API users"))


@users_app.command("revoke")
def users_revoke(
    name: Annotated[str | None, typer.Argument(help="用户名（撤销其全部令牌）/ user name (all its tokens)")] = None,
    token_id: Annotated[int | None, typer.Option("--token", help="只撤销这一个令牌 / revoke this token only")] = None,
    by: ByOpt = "admin",
    db: DbOption = None,
) -> None:
    """撤销令牌 / revoke tokens."""
    from ecozone.access.users import revoke

    with store(db, load=False) as con:
        n = revoke(con, name=name, token_id=token_id, by=by)
    console.print(say(f"已撤销 {n} 个令牌", f"revoked {n} token(s)"))


@users_app.command("audit")
def users_audit(
    action: Annotated[str | None, typer.Option("--action")] = None,
    limit: Annotated[int, typer.Option("--limit")] = 50,
    fmt: FormatOption = Format.table,
    db: DbOption = None,
) -> None:
    """审计日志（最新在前）/ the audit log, newest first."""
    from ecozone.access.audit import entries

    with store(db, load=False) as con:
        rows = entries(con, action=action, limit=limit)
    render(rows, [Column("audit_id", "#", "#"), Column("recorded_at", "时间", "when"), Column("actor", "操作人", "who"),
                  Column("action", "操作", "action"), Column("object", "对象", "object"),
                  Column("after", "内容", "after", 60)], fmt, say("审计日志", "Audit log"))


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
    app.command("site")(site)
    app.add_typer(users_app, name="users")
