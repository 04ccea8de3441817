"""Messages per second through POST /sim/api/messages, against a bare aiohttp endpoint.

Run: .venv/bin/python tests/bench/bench_messages.py [--seconds S] [--concurrency C]

Both servers run as separate processes on loopback and get the same load from wrk (Debian's
`wrk`; the bench installs nothing) with C connections on one wrk thread: on a 2-core machine a
second wrk thread would take CPU from the one-process server it measures. The full path stores the inbound
message, classifies it, opens or updates a ticket, queues the helper's push and answers only
after the commit. 500 extra fictional businesses are loaded so that most messages open tickets
rather than join one. Prints rates, p50/p99 latency, the server's peak memory and the ratio.
Targets: ratio >= 5%, p99 < 100 ms at 50 concurrent senders, memory < 250 MB.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OWNERS = 500
NEEDS = [
    "我们想申请稳岗补贴，需要准备什么材料",
    "营业执照地址变更怎么办理，要带哪些东西",
    "店门口的路灯坏了好几天了，晚上顾客看不清",
    "员工社保断缴了两个月，现在怎么补缴",
    "想了解一下专精特新企业认定的条件",
    "公司想贷款扩大生产，有没有贴息政策",
    "隔壁工地晚上施工噪音很大影响经营",
    "食品经营许可证快到期了，续期怎么申请",
    "我们招不到会写代码的人，区里有没有人才政策",
    "增值税留抵退税什么时候能到账",
]
BARE_APP = textwrap.dedent(
    """
    import sys
    from aiohttp import web

    async def handle(request):
        body = await request.json()
        return web.json_response({"duplicate": False, "replies": [{"text": body["text"]}]})

    app = web.Application()
    app.router.add_post("/sim/api/messages", handle)
    web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)
    """
)
WRK_SCRIPT = """
local needs = {%(needs)s}
local owners = %(owners)d
local counter = 0
local next_tid = 0
-- `tid` is a global that setup() gives each wrk thread; a local of that name would hide it
-- and make both threads send the same message ids (duplicates).
function setup(thread)
  next_tid = next_tid + 1
  thread:set("tid", next_tid)
end
request = function()
  counter = counter + 1
  local body = string.format('{"user":"bench-owner-%%d","text":"%%s（%%d）","id":"w%%d-%%d"}',
    (counter * 7 + tid) %% owners, needs[counter %% #needs + 1], counter, tid, counter)
  return wrk.format("POST", "/sim/api/messages", {["Content-Type"] = "application/json"}, body)
end
"""


def bench_roster(path: Path) -> None:
    """Fictional businesses spread over the demo roster's street helpers."""
    lines = ["# Benchmark roster: fictional."]
    for i in range(OWNERS):
        helper = f"helper-{['changhong', 'xuefu', 'huayuan', 'gulou'][i % 4]}-1"
        lines += [
            "[[person]]", f'id = "bench-owner-{i}"', f'name = "压测{i}"', 'role = "business"',
            f'business_id = "bench-biz-{i}"', "",
            "[[business]]", f'id = "bench-biz-{i}"', f'name = "压测商户{i}（演示）"', 'kind = "individual"',
            f'helpers = ["{helper}"]', "",
        ]
    path.write_text("\n".join(lines), encoding="utf-8")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"server on {port} did not start")


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def wrk(port: int, script: Path, seconds: int, connections: int) -> tuple[float, float, float, int]:
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script),
         f"http://127.0.0.1:{port}/sim/api/messages"],
        capture_output=True, text=True, check=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)

    def pct(label: str) -> float:
        value, unit = re.search(rf"\s{label}\s+([\d.]+)(us|ms|s)", out).groups()
        return float(value) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[unit]

    return rate, pct("50%"), pct("99%"), int(errors.group(1)) if errors else 0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--concurrency", type=int, default=50)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is not installed: apt-get install wrk")
        return 1
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        script = tmpdir / "load.lua"
        script.write_text(
            WRK_SCRIPT % {"needs": ", ".join(f'"{n}"' for n in NEEDS), "owners": OWNERS}, encoding="utf-8"
        )
        roster = tmpdir / "bench_roster.toml"
        bench_roster(roster)
        env = {**os.environ, "ZHENGQI_DATABASE_URL": f"sqlite:///{tmp}/bench.db", "ZHENGQI_LOG_LEVEL": "WARNING"}
        # The demo roster loads on the first start; the benchmark's businesses go on top of it,
        # before the measured start (which binds every roster id as a simulator account).
        port = free_port()
        first = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--demo", "--port", str(port)], cwd=ROOT,
                                 env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_port(port)
        first.terminate()
        first.wait(timeout=30)
        subprocess.run([sys.executable, "-m", "bot", "roster", "load", str(roster)], cwd=ROOT, env=env, check=True,
                       capture_output=True)
        servers = {
            "bare aiohttp": lambda port: [sys.executable, "-c", BARE_APP, str(port)],
            "sim messages": lambda port: [sys.executable, "-m", "bot", "serve", "--demo", "--port", str(port)],
        }
        for name, command in servers.items():
            port = free_port()
            proc = subprocess.Popen(command(port), cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.PIPE)
            try:
                wait_port(port)
                wrk(port, script, 2, 10)  # warm-up
                rate, p50, p99, errors = wrk(port, script, args.seconds, args.concurrency)
                rss = peak_rss_mb(proc.pid)
            finally:
                proc.terminate()
                proc.wait(timeout=30)
            results[name] = (rate, p99, rss)
            print(f"{name:>13}: {rate:8.0f} msg/s   p50 {p50:6.1f} ms   p99 {p99:6.1f} ms   peak RSS {rss:6.1f} MB"
                  f"   ({args.concurrency} senders, {args.seconds} s, {errors} errors)")
            if errors:
                print(f"FAIL: {errors} non-2xx responses")
                return 1
    rate, p99, rss = results["sim messages"]
    ratio = rate / results["bare aiohttp"][0]
    print(f"ratio: {ratio:.1%} of the bare endpoint (target >= 5%); p99 {p99:.0f} ms (target < 100);"
          f" memory {rss:.0f} MB (target < 250)")
    ok = ratio >= 0.05 and p99 < 100 and rss < 250
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
