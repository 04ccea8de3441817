"""The `zhengqi` command (also `python -m bot`)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from datetime import datetime
from typing import Any, Awaitable, Callable, Sequence, TypeVar

from config.settings import Settings, load_settings

T = TypeVar("T")


def with_database(settings: Settings, work: Callable[[Any], Awaitable[T]]) -> T:
    """Migrate, open the database, run `work(db)` on a fresh event loop, close the database.

    Alembic runs its own event loop for PostgreSQL, so migrating happens before ours starts.
    """
    from storage.database import open_database
    from storage.migrate import upgrade

    upgrade(settings.database_url)

    async def run() -> T:
        db = open_database(settings.database_url)
        try:
            return await work(db)
        finally:
            await db.dispose()

    return asyncio.run(run())


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
    from bot.bootstrap import read_roster, seed

    settings = load_settings()
    try:
        roster = read_roster(args.file, fictional=False)
    except (OSError, ValueError, KeyError) as exc:
        print(f"名册文件有误：{exc}", file=sys.stderr)
        return 2

    async def load(db) -> None:
        async with db.uow() as uow:
            await seed(uow, settings.model_copy(update={"demo": False}))  # streets, departments
            await uow.roster.load(**roster.as_kwargs())
            await uow.commit()

    with_database(settings, load)
    print(f"已导入名册：{len(roster.people)} 人，{len(roster.businesses)} 个经营主体。")
    return 0


def cmd_remind(args: argparse.Namespace) -> int:
    import json

    from bot.bootstrap import build_ladder, build_policy
    from bot.core.services import ServiceContext, utc_now
    from handlers.context import ChatContext, DepartmentDirectory
    from handlers.format import moment
    from handlers.reminders import plan, plan_digests, sweep

    settings = load_settings()
    policy = build_policy(settings)
    ladder = build_ladder(settings)
    if args.at and not args.dry_run:
        print("--at 只能与 --dry-run 一起使用（不能在虚构的时间点真实发送）。", file=sys.stderr)
        return 2
    try:
        at = datetime.fromisoformat(args.at) if args.at else utc_now()
    except ValueError:
        print(f"无法识别的时间：{args.at}（示例：2026-10-08T09:00）", file=sys.stderr)
        return 2
    if at.tzinfo is None:
        at = at.replace(tzinfo=policy.calendar.tz)

    async def run(db) -> int:
        async with db.uow() as uow:
            departments = {d.code: d for d in await uow.roster.departments()}
        chat = ChatContext(
            services=ServiceContext(policy=policy, clock=lambda: at), directory=DepartmentDirectory(departments)
        )
        if not args.dry_run:
            report = await sweep(db.uow, chat, ladder, at)
            print(f"已发送 {len(report.sent)} 条提醒，自动关闭 {len(report.closed)} 件；"
                  f"非工作时间暂缓 {report.held} 件。")
            return 0
        async with db.uow() as uow:
            _, messages = await plan(uow, chat, ladder, at)
            messages += await plan_digests(uow, chat, ladder, at)
        office = policy.calendar.is_office_time(at)
        if args.json:
            if office:
                for m in messages:
                    print(json.dumps(m.to_json(), ensure_ascii=False))
            return 0
        if not office:
            opens = policy.calendar.next_office_open(at)
            print(f"{moment(at, policy.calendar.tz)} 不在工作时间，不发送；"
                  f"{len(messages)} 条提醒将于 {moment(opens, policy.calendar.tz)} 起合并发送。")
            return 0
        if not messages:
            print(f"{moment(at, policy.calendar.tz)} 没有需要发送的提醒。")
        for m in messages:
            print(f"→ {m.to}（{m.role}） 工单 #{m.ticket} [{m.rung}]\n  {m.text}")
        return 0

    return with_database(settings, run)


def cmd_classify(args: argparse.Namespace) -> int:
    from bot.app import service_classifier
    from nlp.cli import run_classify

    return run_classify(sys.stdin, sys.stdout, classifier=service_classifier(load_settings()))


def cmd_nlp(args: argparse.Namespace) -> int:
    from bot.app import service_classifier
    from nlp.cli import run_eval, run_retrain
    from nlp.paths import TEST_PATH

    settings = load_settings()
    if args.nlp_command == "eval":
        return run_eval(args.file or TEST_PATH, sys.stdout, classifier=service_classifier(settings))
    corrections = with_database(settings, _read_corrections)
    print(f"纠正记录 {len(corrections)} 条。")
    return run_retrain(corrections, settings.nlp_model_file, sys.stdout)


async def _read_corrections(db) -> list[dict]:
    """Helpers' routing corrections as labelled examples for retraining."""
    from nlp.taxonomy import load_taxonomy

    async with db.uow() as uow:
        corrections = await uow.corrections.all()
    categories = load_taxonomy().categories
    by_id = {c.id: c for c in categories}
    examples = []
    for c in corrections:
        # The suggested category stands if it covers the department the helper chose; otherwise
        # the category that department owns by default.
        category = c.category if c.category in by_id and c.department in by_id[c.category].departments() else next(
            (cat.id for cat in categories if cat.department == c.department), None
        )
        if category is None:
            continue
        examples.append({"text": c.text, "category": category, "department": c.department,
                         "channel": "department", "in_scope": True, "reason": None})
    return examples


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

    remind = sub.add_parser("remind", help="到期提醒：立即执行一次，或用 --dry-run 预览")
    remind.add_argument("--dry-run", action="store_true", help="只列出将要发送的提醒，不发送")
    remind.add_argument("--at", help="预览的时间点（ISO 8601，北京时间），仅与 --dry-run 一起使用")
    remind.add_argument("--json", action="store_true", help="每条提醒输出一个 JSON 对象")
    remind.set_defaults(func=cmd_remind)

    classify = sub.add_parser("classify", help="诉求分类：每行一条文本（标准输入），每行输出一个 JSON")
    classify.set_defaults(func=cmd_classify)

    nlp_parser = sub.add_parser("nlp", help="分类模型：评估与重新训练")
    nlp_sub = nlp_parser.add_subparsers(dest="nlp_command", required=True)
    evaluate = nlp_sub.add_parser("eval", help="在标注数据上评估（默认：保留的测试集）")
    evaluate.add_argument("file", nargs="?")
    nlp_sub.add_parser("retrain", help="用训练集和服务员的纠正记录重新训练，服务自动加载新模型")
    nlp_parser.set_defaults(func=cmd_nlp)

    diagram = sub.add_parser("diagram", help="输出工单状态流转图（Mermaid）")
    diagram.set_defaults(func=cmd_diagram)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)
