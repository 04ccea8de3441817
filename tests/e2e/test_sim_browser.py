"""The simulator page in a real (headless) Chromium, driven by Playwright.

The server under test is the real app (``make_app``), with the fictional demo roster; the
people the tests act as and the texts they expect are gathered in ``SCENARIO``.

The server runs in a background thread with its own event loop (so the synchronous Playwright
API can drive the browser from the test's thread). Chromium is Debian's ``/usr/bin/chromium``:
Playwright's own browser download is not used.
"""

from __future__ import annotations

import asyncio
import inspect
import os
import re
import shutil
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo
from pathlib import Path
from typing import Any, Awaitable, Callable, Iterator

import pytest
from aiohttp import web
from playwright.sync_api import Browser, Page, expect, sync_playwright

STATIC_DIR = Path(__file__).resolve().parents[2] / "bot" / "platforms" / "sim" / "static"
SCREENSHOT_DESKTOP = Path("/tmp/sim.png")
SCREENSHOT_PHONE = Path("/tmp/sim-phone.png")
CHROMIUM = os.environ.get("SIM_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]

AppFactory = Callable[[], "web.Application | Awaitable[web.Application]"]


# --------------------------------------------------------------------------------------------
# The server under test: the real app, demo roster, simulator on, SQLite (the browser adds
# nothing storage-specific; the API tests run on both databases).
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    business: str = "owner-01"  # 津南开味轩餐饮（演示）
    helper: str = "helper-changhong-1"  # its street helper
    role_groups: tuple[str, ...] = ("经营主体", "助企服务员", "需求协调员", "分管领导", "中枢")
    need: str = "我们店门口的人行道砖破损，顾客容易绊倒，想请帮忙协调修一下。"
    need_reply: str = "已收到您的诉求"
    push_to_helper: str = "新诉求"
    helper_button: str = "受理（街道办理）"
    helper_result: str = "已受理工单"
    push_to_owner: str = "受理"
    guest_reply: str = "请回复贵单位名称"


SCENARIO = Scenario()


@pytest.fixture
def make_app(tmp_path) -> AppFactory:
    from bot.app import create_app
    from config.settings import Settings
    from storage.migrate import upgrade

    url = f"sqlite+aiosqlite:///{tmp_path / 'browser.db'}"
    upgrade(url)
    return lambda: create_app(Settings(database_url=url, demo=True, nlp_model_file=tmp_path / "nlp_model.json"))


# --------------------------------------------------------------------------------------------
# Server in a background thread, browser, page.
# --------------------------------------------------------------------------------------------


class LiveServer:
    def __init__(self, factory: AppFactory) -> None:
        self._factory = factory
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="sim-server", daemon=True)
        self._runner: web.AppRunner | None = None
        self.url = ""

    def start(self) -> None:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(timeout=60)

    async def _start(self) -> None:
        app = self._factory()
        if inspect.isawaitable(app):
            app = await app
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.url = f"http://{host}:{port}"

    def stop(self) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(timeout=30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()


@pytest.fixture
def server(make_app: AppFactory) -> Iterator[LiveServer]:
    live = LiveServer(make_app)
    live.start()
    try:
        yield live
    finally:
        live.stop()


@pytest.fixture(scope="module")  # closed before other test modules run their event loops
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists() and not shutil.which(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: apt-get install -y chromium")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


class PageErrors(list):
    def check(self) -> None:
        assert not self, f"errors in the page: {list(self)}"


def _open(browser: Browser, server: LiveServer, **context_args: Any) -> tuple[Page, PageErrors]:
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **context_args)
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors = PageErrors()
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))

    def on_console(msg) -> None:
        # 4xx answers are part of the contract; Chromium logs them as "Failed to load resource".
        if msg.type == "error" and not msg.text.startswith("Failed to load resource"):
            errors.append(f"console: {msg.text}")

    page.on("console", on_console)
    page.goto(server.url + "/sim")
    expect(page.locator("#person-select optgroup").first).to_be_attached()
    return page, errors


@pytest.fixture
def desktop(browser: Browser, server: LiveServer) -> Iterator[tuple[Page, PageErrors]]:
    page, errors = _open(browser, server, viewport={"width": 1280, "height": 800})
    yield page, errors
    page.context.close()


@pytest.fixture
def phone(browser: Browser, server: LiveServer) -> Iterator[tuple[Page, PageErrors]]:
    page, errors = _open(
        browser,
        server,
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    yield page, errors
    page.context.close()


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------

S = SCENARIO


def send(page: Page, text: str) -> None:
    page.locator("#message-input").fill(text)
    page.locator("#message-input").press("Enter")


def last(page: Page, selector: str):
    return page.locator(f"#chat-log {selector}").last


# --------------------------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------------------------


def test_one_ticket_from_need_to_rating_in_the_page(desktop, server):
    page, errors = desktop
    expect(page).to_have_title(re.compile("政企同行·有需必应 模拟器（演示）"))
    expect(page.locator("#demo-note")).to_contain_text("仅供演示：名册为虚构人员")
    groups = page.locator("#person-select optgroup").evaluate_all("els => els.map(e => e.label)")
    assert tuple(groups) == S.role_groups
    expect(page.locator(f'.person[data-user-id="{S.business}"] .person-org')).to_contain_text("演示")
    expect(page.locator("#send-button")).to_be_disabled()  # nobody chosen yet

    # The business owner writes one line: the receipt names the ticket.
    page.select_option("#person-select", S.business)
    send(page, S.need)
    expect(last(page, ".msg.user")).to_have_attribute("data-status", "sent")
    reply = last(page, ".msg.bot")
    expect(reply).to_contain_text(S.need_reply)
    expect(reply).to_contain_text("助企服务员")
    expect(reply.locator(".ticket-chip")).to_have_text(re.compile(r"^工单 #\d+$"))
    ticket = reply.get_attribute("data-ticket")
    assert ticket and ticket.isdigit()
    assert "\n" in reply.locator(".msg-text").inner_text()  # multi-line text preserved
    reply.locator(".ticket-chip").click()
    expect(page.locator("#message-input")).to_have_value(f"查询 #{ticket}")
    page.locator("#message-input").press("Enter")
    expect(last(page, ".msg.bot")).to_contain_text("状态：待研判")

    # The helper has the push card; one tap takes the ticket at street level.
    page.locator(f'.person[data-user-id="{S.helper}"]').click()
    push = page.locator("#chat-log .msg.bot.push").last
    expect(push).to_contain_text(S.push_to_helper)
    expect(push.locator(".push-tag")).to_have_text("推送")
    expect(push.locator(".card-title")).to_contain_text(f"#{ticket}")
    push.locator(".card button", has_text=S.helper_button).click()
    expect(last(page, ".msg.user .msg-text")).to_have_text(f"受理 #{ticket}")
    expect(last(page, ".msg.bot")).to_contain_text(S.helper_result)
    eta = (datetime.now(ZoneInfo("Asia/Shanghai")).date() + timedelta(days=7)).isoformat()
    send(page, f"答复 #{ticket} 已联系街道市政维修，一周内修好 {eta}")
    expect(last(page, ".msg.bot")).to_contain_text("已答复")
    send(page, f"办结 #{ticket} 人行道砖已更换")
    expect(last(page, ".msg.bot")).to_contain_text("已办结")

    # The owner sees the pushes (unread badge first), and rates with a card button.
    badge = page.locator(f'.unread-badge[data-user-id="{S.business}"]')
    expect(badge).to_be_visible(timeout=15_000)
    page.screenshot(path=str(SCREENSHOT_DESKTOP.with_name("sim-desktop-helper.png")))
    page.locator(f'.person[data-user-id="{S.business}"]').click()
    expect(page.locator("#chat-log .msg.bot.push", has_text="解决方案（")).to_be_visible()
    rating = page.locator("#chat-log .msg.bot.push", has_text="已办结").last
    rating.locator(".card button", has_text="5分").click()
    expect(last(page, ".msg.user .msg-text")).to_have_text(f"评价 #{ticket} 5")
    expect(last(page, ".msg.bot")).to_contain_text("已关闭")
    page.screenshot(path=str(SCREENSHOT_DESKTOP))
    errors.check()


def test_errors_newlines_and_hostile_text(desktop, server):
    page, errors = desktop
    page.select_option("#person-select", S.business)
    field = page.locator("#message-input")

    # Enter on an empty input sends nothing and says so.
    field.press("Enter")
    expect(page.locator("#send-error")).to_have_text("请输入消息内容")
    expect(page.locator("#chat-log .msg")).to_have_count(0)

    # The input holds at most what the bot accepts (the API answers longer text politely).
    assert field.get_attribute("maxlength") == "2000"

    # When the server cannot be reached, the failure is shown next to the message.
    page.route("**/sim/api/messages", lambda route: route.abort("connectionrefused"))
    send(page, "网络断了也要告诉我")
    failed = last(page, ".msg.user")
    expect(failed).to_have_attribute("data-status", "failed")
    expect(failed.locator(".msg-error")).not_to_be_empty()
    page.unroute("**/sim/api/messages")

    # Shift+Enter is a newline; the lines survive the round trip.
    field.fill("")
    field.type("第一行：我们想问问")
    field.press("Shift+Enter")
    field.type("第二行：营业执照变更经营范围")
    field.press("Enter")
    expect(last(page, ".msg.user .msg-text")).to_have_text("第一行：我们想问问\n第二行：营业执照变更经营范围")
    expect(last(page, ".msg.bot")).to_contain_text(S.need_reply)

    # Text from other people is text: markup reaches the helper's screen shown, never run.
    page.wait_for_timeout(50)
    hostile = '<img src=x onerror="window.__pwned=1"><b>粗体</b>门口占道摆摊谁来管'
    response = page.request.post(server.url + "/sim/api/messages", data={"user": "owner-03", "text": hostile})
    assert response.ok, response.text()
    page.select_option("#person-select", "helper-xuefu-1")
    expect(page.locator("#chat-log .msg.bot.push").last).to_contain_text("<img src=x")
    assert page.locator("#chat-log img, #chat-log b").count() == 0
    assert page.evaluate("window.__pwned") is None
    errors.check()


def test_unknown_writer_and_history_survives_reload(desktop):
    page, errors = desktop
    with page.expect_request("**/sim/api/messages") as request:
        page.locator("#new-guest-button").click()
        expect(page.locator("#person-select")).to_have_value(re.compile(r"^guest-[a-z0-9]{8}$"))
        expect(page.locator("#current-person")).to_contain_text("新用户（未登记）")
        send(page, "你好")
    body = request.value.post_data_json
    guest = page.locator("#person-select").input_value()
    assert body["user"] == guest and body["text"] == "你好" and body["id"]
    expect(last(page, ".msg.bot")).to_contain_text(S.guest_reply)

    page.select_option("#person-select", S.business)
    send(page, "我的服务员")
    expect(last(page, ".msg.bot")).to_contain_text("电话")

    # Per-person history lives in sessionStorage: a reload keeps it, and the person on screen.
    page.reload()
    expect(page.locator("#person-select")).to_have_value(S.business)
    expect(page.locator("#chat-log .msg.user .msg-text")).to_have_text(["我的服务员"])
    page.select_option("#person-select", guest)
    expect(page.locator("#chat-log .msg.user .msg-text")).to_have_text(["你好"])
    expect(page.locator("#chat-log .msg.bot")).to_contain_text(S.guest_reply)
    errors.check()


def test_phone_layout(phone):
    page, errors = phone
    expect(page.locator(".sidebar")).to_be_hidden()
    expect(page.locator("#person-select")).to_be_visible()
    expect(page.locator("#new-guest-button-compact")).to_be_visible()
    expect(page.locator("#demo-note")).to_be_visible()

    page.select_option("#person-select", S.helper)
    page.locator("#message-input").tap()
    send(page, "帮助")
    expect(last(page, ".msg.bot")).to_contain_text("受理")
    page.select_option("#person-select", S.business)
    send(page, S.need)
    expect(last(page, ".msg.bot")).to_contain_text(S.need_reply)
    page.select_option("#person-select", S.helper)
    expect(page.locator("#chat-log .card button").first).to_be_visible()

    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"page scrolls sideways on a phone ({width}px)"
    for selector in ("#send-button", "#person-select", "#message-input", "#chat-log .card button"):
        box = page.locator(selector).first.bounding_box()
        assert box and box["height"] >= 44, f"{selector} is too small to tap: {box}"
    composer = page.locator("#composer").bounding_box()
    assert composer and composer["y"] + composer["height"] <= 844 + 1  # input stays on screen
    page.screenshot(path=str(SCREENSHOT_PHONE))
    errors.check()


def test_no_server_text_goes_through_html_parsing():
    source = (STATIC_DIR / "sim.js").read_text(encoding="utf-8")
    source = re.sub(r"/\*.*?\*/", "", source, flags=re.S)  # comments may name the sinks
    source = re.sub(r"^\s*//.*$", "", source, flags=re.M)
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in source, f"sim.js uses {sink}"
    html = (STATIC_DIR / "index.html").read_text(encoding="utf-8")
    assert "/sim/static/sim.js" in html and "/sim/static/sim.css" in html
    assert not re.search(r"(src|href)=\"https?://", html), "no CDN: everything is served locally"
