"""aiohttp application factory: owns every async resource through cleanup contexts."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any, AsyncIterator, Callable, NamedTuple

from aiohttp import web

from bot.bootstrap import build_ladder, build_policy, calendar_warnings, read_policy_tickets, seed
from bot.core.chat import Inbound, Outbound
from bot.core.org import Person, Role
from bot.core.services import ServiceContext, utc_now
from bot.platforms.sim import routes as sim_routes
from bot.scheduler import DeadlineJobs, scheduler_context
from config.settings import Settings
from handlers.context import ChatContext, DepartmentDirectory
from handlers.dispatch import process
from storage.database import Database, open_database

log = logging.getLogger(__name__)

SETTINGS = web.AppKey("settings", Settings)
DB = web.AppKey("db", Database)
UOW = web.AppKey("uow", Callable)  # `async with app[UOW]() as uow`
CONTEXT = web.AppKey("context", ServiceContext)
CHAT = web.AppKey("chat", ChatContext)
CLASSIFY = web.AppKey("classify", object)
JOBS = web.AppKey("jobs", DeadlineJobs)


class _ModelFacts(NamedTuple):
    data_hash: str
    n_examples: int
    n_corrections: int


def service_classifier(settings: Settings):
    """The classifier on the service's own model file, which retraining replaces on disk.

    The file starts as a copy of the shipped model and follows it on upgrades, unless helpers'
    corrections were trained into it: then it is kept, and retraining brings in the new data.
    """
    import shutil

    import nlp
    from nlp.paths import MODEL_PATH

    def facts(path) -> _ModelFacts:
        # Only three fields are needed: the model is dropped at once, so that start-up never holds
        # more than the model being loaded (three at a time took 28 MB more at the peak).
        m = nlp.Model.load(path)
        return _ModelFacts(m.data_hash, m.n_examples, m.n_corrections)

    model_file = settings.nlp_model_file
    shipped = facts(MODEL_PATH)
    try:
        current = facts(model_file)
    except (OSError, nlp.ModelError) as exc:
        current = None
        if model_file.exists():
            # An older file format after an upgrade, or a damaged file: the corrections it held are
            # still in the database, so retraining brings them back.
            log.warning(
                "分类模型文件无法使用（%s），已换用随版本发布的模型。服务员的纠正记录仍在数据库中，"
                "请运行 zhengqi nlp retrain 重新学习。", exc,
            )
    if current is None or (current.n_corrections == 0 and current.data_hash != shipped.data_hash):
        model_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = model_file.with_suffix(".tmp")
        shutil.copyfile(MODEL_PATH, tmp)
        tmp.replace(model_file)
    elif current.n_examples != shipped.n_examples:
        log.warning("分类模型含服务员纠正记录，但基于旧版训练数据：请运行 zhengqi nlp retrain。")
    return nlp.Classifier(model_path=model_file)


def default_classifier(settings: Settings) -> Callable[[str], Any]:
    import gc

    classifier = service_classifier(settings)
    classifier.classify("营业执照")  # load the dictionary and model now, not on the first message
    # The classifier's vocabulary, rules and caches are many long-lived objects; a full collection
    # that walks them stalls requests. Freeze what exists after loading.
    gc.collect()
    gc.freeze()
    # Each message allocates thousands of short-lived objects that reference counting frees;
    # collecting the young generation every 700 allocations cost ~14% of a message here.
    gc.set_threshold(50_000, 10, 10)
    return classifier.classify


async def _database(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    db = open_database(settings.database_url)
    app[DB] = db
    app[UOW] = db.uow
    async with app[UOW]() as uow:
        log.info("%s", await seed(uow, settings))
        if settings.simulator_on:
            # In the simulator a roster id is also the chat account id.
            for person in await uow.roster.people():
                if await uow.roster.identity(sim_routes.PLATFORM, person.id) is None:
                    await uow.roster.bind_identity(sim_routes.PLATFORM, person.id, person.id)
            await uow.commit()
        departments = {d.code: d for d in await uow.roster.departments()}
    app[CHAT] = ChatContext(
        services=app[CONTEXT],
        classify=app[CLASSIFY],
        directory=DepartmentDirectory(departments),
        merge_window=timedelta(minutes=read_policy_tickets(settings)["merge_window_minutes"]),
    )
    yield
    await db.dispose()


async def healthz(request: web.Request) -> web.Response:
    try:
        await request.app[DB].ping()
    except Exception as exc:  # any failure means "not healthy"; the reason goes to the log
        log.warning("health check failed: %s", exc)
        return web.json_response({"status": "error", "database": "unavailable"}, status=503)
    return web.json_response({"status": "ok", "database": "ok", "demo": request.app[SETTINGS].demo_mode})


async def index(request: web.Request) -> web.Response:
    """Someone opens the address in a browser: the simulator when it is on, else a line saying what
    this is (businesses and staff use WeCom or DingTalk, not this page)."""
    if request.app[SETTINGS].simulator_on:
        raise web.HTTPFound("/sim")
    return web.Response(
        text="“政企同行·有需必应”服务运行中。经营主体和工作人员请在企业微信或钉钉中使用；运行状态：/healthz\n",
        content_type="text/plain",
        charset="utf-8",
    )


def _mount_simulator(app: web.Application) -> None:
    async def run(inbound: Inbound) -> tuple[list[Outbound], bool]:
        async with app[UOW]() as uow:
            processed = await process(uow, app[CHAT], inbound)
        return processed.replies, processed.duplicate

    async def inbox(user: str, after: int):
        async with app[UOW]() as uow:
            person_id = await uow.roster.identity(sim_routes.PLATFORM, user)
            if person_id is None:
                return []
            return [(p.id, p.message, p.created_at) for p in await uow.outbox.for_person(person_id, after)]

    async def users() -> list[tuple[Person, str]]:
        async with app[UOW]() as uow:
            people = await uow.roster.people()
            departments = {d.code: d.name for d in await uow.roster.departments()}
            zones = {z.code: z.name for z in await uow.roster.zones()}
            parks = {p.code: p.name for p in await uow.roster.parks()}
            out = []
            for p in people:
                if p.role == Role.BUSINESS:
                    business = await uow.roster.business(p.business_id or "")
                    org = business.name if business else ""
                elif p.role == Role.HUB:
                    org = "区政务服务办" if p.hub and p.hub.value == "service_office" else "区网格中心（12345）"
                else:
                    org = (departments.get(p.department_code or "") or zones.get(p.zone_code or "")
                           or parks.get(p.park_code or "") or "")
                out.append((p, org))
        order = [Role.BUSINESS, Role.HELPER, Role.COORDINATOR, Role.LEADER, Role.HUB]
        return sorted(out, key=lambda po: (order.index(po[0].role), po[0].id))

    sim_routes.setup(app, process=run, inbox=inbox, users=users, clock=lambda: app[CONTEXT].clock())


def create_app(
    settings: Settings,
    *,
    context: ServiceContext | None = None,
    classify: Callable[[str], Any] | None = None,
) -> web.Application:
    app = web.Application(client_max_size=1024 * 1024)
    app[SETTINGS] = settings
    policy = build_policy(settings)
    app[CONTEXT] = context or ServiceContext(policy=policy, clock=utc_now)
    app[CLASSIFY] = classify or default_classifier(settings)
    for warning in calendar_warnings(policy.calendar, utc_now()):
        log.warning("%s", warning)
    app.cleanup_ctx.append(_database)
    if settings.scheduler_enabled:
        ladder = build_ladder(settings)
        app.cleanup_ctx.append(
            scheduler_context(JOBS, lambda a: DeadlineJobs(a[UOW], lambda: a[CHAT], ladder))
        )
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/", index)
    if settings.simulator_on:
        _mount_simulator(app)
        log.warning("模拟器已开启（/sim）：可冒充名册中任何人，仅限演示或测试环境使用。")
    return app
