"""The `zhengqi` command (also `python -m bot`)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from datetime import datetime
from typing import Sequence

from config.settings import Settings, load_settings


def _settings(args: argparse.Namespace) -> Settings:
    return load_settings(
        host=getattr(args, "host", None),
        port=getattr(args, "port", None),
        demo=True if getattr(args, "demo", False) else None,
    )


def cmd_serve(args: argparse.Namespace) -> int:
    from aiohttp import web

    from bot.app import create_app
    from storage.migrate import upgrade

    settings = _settings(args)
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # An empty database is migrated before the first request; an up-to-date one is untouched.
    upgrade(settings.database_url)
    app = create_app(settings)
    mode = "演示模式（虚构名册）" if settings.demo_mode else "正式模式"
    url = f"http://{settings.host}:{settings.port}"

    def announce(_msg: str) -> None:
        print(f"政企同行·有需必应 服务已启动：{url}  （{mode}）", flush=True)
        if settings.simulator_on:
            print(f"模拟器：{url}/sim  （可冒充名册中任何人，仅限演示）", flush=True)
        print(f"健康检查：{url}/healthz    按 Ctrl+C 停止", flush=True)

    web.run_app(app, host=settings.host, port=settings.port, print=announce, shutdown_timeout=10)
    return 0


def cmd_deadline(args: argparse.Namespace) -> int:
    from bot.bootstrap import build_policy
    from bot.core.workdays import format_deadline_cli

    try:
        received = datetime.fromisoformat(args.received)
    except ValueError:
        print(f"无法识别的时间：{args.received}（示例：2026-09-30T10:00）", file=sys.stderr)
        return 2
    if args.days < 1:
        print("工作日数须为正整数。", file=sys.stderr)
        return 2
    policy = build_policy(load_settings())
    print(format_deadline_cli(policy.calendar, received, args.days))
    return 0


def cmd_db(args: argparse.Namespace) -> int:
    from storage import migrate

    url = load_settings().database_url
    if args.db_command == "upgrade":
        migrate.upgrade(url, args.revision)
    elif args.db_command == "downgrade":
        migrate.downgrade(url, args.revision)
    else:
        migrate.current(url)
    return 0


def cmd_roster(args: argparse.Namespace) -> int:
    from bot.bootstrap import read_roster
    from storage.engine import create_engine
    from storage.migrate import upgrade
    from storage.uow import SqlUnitOfWork

    settings = load_settings()
    roster = read_roster(args.file, fictional=False)
    upgrade(settings.database_url)

    async def run() -> None:
        engine = create_engine(settings.database_url)
        try:
            async with SqlUnitOfWork(engine) as uow:
                await uow.roster.load(**roster.as_kwargs())
                await uow.commit()
        finally:
            await engine.dispose()

    asyncio.run(run())
    print(f"已导入名册：{len(roster.people)} 人，{len(roster.businesses)} 个经营主体。")
    return 0


def cmd_diagram(args: argparse.Namespace) -> int:
    from bot.core.diagram import mermaid

    print(mermaid())
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="zhengqi", description="政企同行·有需必应 服务")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="启动服务")
    serve.add_argument("--host", help="监听地址（默认 127.0.0.1）")
    serve.add_argument("--port", type=int, help="监听端口（默认 8080）")
    serve.add_argument("--demo", action="store_true", help="强制演示模式（虚构名册与模拟器）")
    serve.set_defaults(func=cmd_serve)

    deadline = sub.add_parser("deadline", help="计算办理期限：zhengqi deadline 2026-09-30T10:00 3")
    deadline.add_argument("received", help="收到诉求的时间（ISO 8601，北京时间）")
    deadline.add_argument("days", type=int, help="工作日数（1、3、7）")
    deadline.set_defaults(func=cmd_deadline)

    db = sub.add_parser("db", help="数据库迁移")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    up = db_sub.add_parser("upgrade", help="升级到最新结构")
    up.add_argument("revision", nargs="?", default="head")
    down = db_sub.add_parser("downgrade", help="回退到指定版本（base 为清空）")
    down.add_argument("revision")
    db_sub.add_parser("current", help="显示当前版本")
    db.set_defaults(func=cmd_db)

    roster = sub.add_parser("roster", help="名册管理")
    roster_sub = roster.add_subparsers(dest="roster_command", required=True)
    load = roster_sub.add_parser("load", help="导入名册文件（格式同 config/demo_roster.toml）")
    load.add_argument("file")
    roster.set_defaults(func=cmd_roster)

    diagram = sub.add_parser("diagram", help="输出工单状态流转图（Mermaid）")
    diagram.set_defaults(func=cmd_diagram)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)
