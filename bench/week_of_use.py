"""A week of daily use on a throttled 3G phone: the bytes a trainee pays for.

One trainee of the flagship five-day course (`money-smart-creators`, "Digital & Financial
Literacy for Creators", in a scheduled cohort: Day N opens on day N) uses it each day:
opens the course home, reads that day's lessons (marking each done), takes the day's quiz
and submits it. The browser profile (HTTP cache, service worker and its saved pages,
cookies) persists between days like a phone's; the browser is closed every evening, and
the server restarted with the next day's clock (`NOW`).

Bytes are the sum of `encodedDataLength` of CDP `Network.loadingFinished` (headers and
body as they crossed the network; for a redirect, of its `redirectResponse`) for the
page's requests and for the service worker's own fetches (its target attached through the browser's CDP session); responses the page
got from the service worker or from the HTTP cache are not counted, since they cost
nothing. Both the page and the worker are throttled with `Network.emulateNetworkConditions`
(1.6 Mbit/s down, 750 kbit/s up, 150 ms round trip).

Baseline, measured in the same run, day by day interleaved: the same week with the HTTP
cache disabled and service workers blocked. Budget (DESIGN "Budgets", issue 20 item 6):
under 400 KB for the week. `BENCH_COURSE` picks another course.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bench.serving import wait_until_up
from bench.table import figure

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
COURSE = os.environ.get("BENCH_COURSE", "money-smart-creators")
PORT = 5831
START = date(2026, 1, 5)
DAYS = int(os.environ.get("BENCH_DAYS", "5"))
BUDGET_KB = 400
THROTTLE = {
    "offline": False,
    "latency": 150,
    "downloadThroughput": 1_600_000 / 8,
    "uploadThroughput": 750_000 / 8,
}
PASSWORD = "amber-tiger-mango-river"  # noqa: S105 - a throwaway benchmark account
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def served_app():
    """The app gunicorn serves (`bench.week_of_use:served_app()`), its clock at BENCH_NOW."""
    from lms import create_app

    return create_app({"NOW": datetime.fromisoformat(os.environ["BENCH_NOW"])})


def _setup(env: dict) -> tuple[int, list[str]]:
    """A scheduled cohort of the course and two trainees (one per mode); (cohort id, logins)."""
    subprocess.run([str(BIN / "lms"), "init"], env=env, check=True, capture_output=True)
    script = f"""
import json
from datetime import date
from lms import create_app
from lms.auth import services as accounts
from lms.cohorts import services
from lms.extensions import db
from lms.permissions import SYSTEM
app = create_app()
with app.app_context():
    cohort = services.create_cohort(SYSTEM, services.CohortData(
        name="Week of use", course_slug={COURSE!r}, start_date=date.fromisoformat({START.isoformat()!r}),
        timezone="Asia/Karachi", pacing="scheduled"))
    logins = []
    for mode in ("ours", "baseline"):
        user = accounts.create_user(name="Trainee " + mode, login=mode + "@example.org",
                                    password={PASSWORD!r}, role="trainee", organisation=None, actor=SYSTEM)
        services.enrol(cohort, user, actor=None)
        logins.append(mode + "@example.org")
    db.session.commit()
    print(json.dumps([cohort.id, logins]))
"""
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, check=True, capture_output=True, text=True
    )
    cohort_id, logins = json.loads(out.stdout.strip().splitlines()[-1])
    return cohort_id, logins


def _serve(env: dict, day: int) -> subprocess.Popen:
    moment = datetime.combine(START + timedelta(days=day - 1), datetime.min.time(), UTC)
    env = {**env, "BENCH_NOW": (moment + timedelta(hours=6)).isoformat()}  # 11:00 in Karachi
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "-w", "1", "-b", f"127.0.0.1:{PORT}", "--log-level", "warning",
         "bench.week_of_use:served_app()"],
        cwd=ROOT,
        env=env,
    )  # fmt: skip
    return wait_until_up(process, PORT, "the app")


class Meter:
    """Bytes over the network for one browser, from CDP: the page and service workers."""

    def __init__(self, context, page, use_cache: bool) -> None:
        self.bytes = 0
        self.requests = 0
        self.free: set[tuple[str, str]] = set()  # (target, request id) answered without network
        self.page_session = context.new_cdp_session(page)
        self.page_session.on("Network.responseReceived", lambda e: self._response("page", e))
        self.page_session.on("Network.requestServedFromCache", lambda e: self._cached("page", e))
        self.page_session.on("Network.loadingFinished", lambda e: self._finished("page", e))
        self.page_session.on("Network.requestWillBeSent", self._redirected)
        self.page_session.send("Network.enable")
        self.page_session.send("Network.emulateNetworkConditions", THROTTLE)
        if not use_cache:
            self.page_session.send("Network.setCacheDisabled", {"cacheDisabled": True})
        self.browser_session = context.browser.new_browser_cdp_session()
        self.workers: dict[str, str] = {}  # session id -> target id
        self.ids = iter(range(1, 1 << 30))
        self.browser_session.on("Target.targetCreated", self._target)
        self.browser_session.on("Target.receivedMessageFromTarget", self._worker_message)
        self.browser_session.send("Target.setDiscoverTargets", {"discover": True})

    def _response(self, target: str, event: dict) -> None:
        response = event["response"]
        if response.get("fromServiceWorker") or response.get("fromDiskCache"):
            self.free.add((target, event["requestId"]))

    def _redirected(self, event: dict) -> None:
        """A redirect (the 302 after each post) ends no loading: its bytes come here."""
        redirect = event.get("redirectResponse")
        if redirect and not redirect.get("fromServiceWorker") and not redirect.get("fromDiskCache"):
            self.bytes += int(redirect.get("encodedDataLength") or 0)
            self.requests += 1

    def _cached(self, target: str, event: dict) -> None:
        self.free.add((target, event["requestId"]))

    def _finished(self, target: str, event: dict) -> None:
        if (target, event["requestId"]) in self.free:
            return
        self.bytes += int(event["encodedDataLength"])
        self.requests += 1

    def _send_worker(self, session_id: str, method: str, params: dict | None = None) -> None:
        message = {"id": next(self.ids), "method": method, "params": params or {}}
        self.browser_session.send(
            "Target.sendMessageToTarget", {"sessionId": session_id, "message": json.dumps(message)}
        )

    def _target(self, event: dict) -> None:
        info = event["targetInfo"]
        if info["type"] != "service_worker" or info["targetId"] in self.workers.values():
            return
        session_id = self.browser_session.send(
            "Target.attachToTarget", {"targetId": info["targetId"], "flatten": False}
        )["sessionId"]
        self.workers[session_id] = info["targetId"]
        self._send_worker(session_id, "Network.enable")
        self._send_worker(session_id, "Network.emulateNetworkConditions", THROTTLE)

    def _worker_message(self, event: dict) -> None:
        message = json.loads(event["message"])
        method, params = message.get("method"), message.get("params", {})
        target = event.get("sessionId", "worker")
        if method == "Network.responseReceived":
            self._response(target, params)
        elif method == "Network.requestServedFromCache":
            self._cached(target, params)
        elif method == "Network.loadingFinished":
            self._finished(target, params)
        elif method == "Network.requestWillBeSent":
            self._redirected(params)


def _settle(page, ours: bool) -> None:
    """Wait until the page and (with the worker) its saving of open pages are done."""
    page.wait_for_load_state("networkidle")
    if not ours:
        return
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        done = page.evaluate(
            """async () => {
                if (!navigator.serviceWorker || !navigator.serviceWorker.controller) return false;
                const state = await (await caches.open('lms-pages-v1')).match('/__lms-saved-pages__');
                if (!state) return false;
                const keys = (await state.json()).keys;
                return [...document.querySelectorAll('a[data-offline]')]
                    .every(a => keys[a.href] === a.dataset.offline);
            }"""
        )
        if done:
            page.wait_for_timeout(500)
            return
        page.wait_for_timeout(250)


def _one_day(playwright, profile: Path, login: str, cohort_id: int, day: int, ours: bool):
    """(bytes, requests) of one day's use: home, the day's lessons (each marked done), quiz."""
    context = playwright.chromium.launch_persistent_context(
        str(profile),
        executable_path=CHROMIUM,
        headless=True,
        viewport={"width": 360, "height": 740},
        is_mobile=True,
        has_touch=True,
        locale="en-US",
        service_workers="allow" if ours else "block",
        args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
              "--disable-component-update", "--disable-sync", "--no-first-run"],
    )  # fmt: skip
    page = context.pages[0] if context.pages else context.new_page()
    meter = Meter(context, page, use_cache=ours)
    seen = []  # cross-check: Playwright's own view of the same requests (page and worker)
    context.on("requestfinished", lambda request: seen.append(request))
    base = f"http://127.0.0.1:{PORT}"
    home = f"{base}/cohorts/{cohort_id}/"
    page.goto(home)
    if "/login" in page.url:  # day 1: sign in (the session then lasts the week)
        page.fill("input[name=login]", login)
        page.fill("input[name=password]", PASSWORD)
        page.click("main form button[type=submit]")
        page.wait_for_load_state()
        page.goto(home)
    _settle(page, ours)
    lessons = page.evaluate(
        f"""[...document.querySelectorAll('li.day:nth-child({day}) .lessons a')]
             .map(a => a.href).filter(href => href.includes('/lessons/'))"""
    )
    for lesson in lessons:
        page.goto(lesson)
        _settle(page, ours)
        page.click("form[action$='/done'] button")
        page.wait_for_load_state()
        _settle(page, ours)
    page.goto(f"{home}quizzes/day-{day}")
    _settle(page, ours)
    for name in page.evaluate(
        "[...new Set([...document.querySelectorAll('form.quiz input[type=radio]')].map(i => i.name))]"
    ):
        page.locator(f"form.quiz input[name='{name}']").first.check()
    page.click("form.quiz button[type=submit]")
    page.wait_for_url("**/attempts/*")
    _settle(page, ours)
    networked = [r for r in seen if r.response() and not r.response().from_service_worker]
    if os.environ.get("BENCH_CROSSCHECK"):
        sizes = [r.sizes() for r in networked]
        print(
            f"  cross-check day {day} {'ours' if ours else 'baseline'}: CDP {meter.bytes} bytes, "
            f"{meter.requests} requests; Playwright {len(networked)} requests, "
            f"{sum(x['responseHeadersSize'] + x['responseBodySize'] for x in sizes)} bytes"
        )
    context.close()
    return meter.bytes, meter.requests, len(lessons)


def main() -> list[dict]:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as instance:
        env = {k: v for k, v in os.environ.items() if not k.startswith("LMS_")}
        env.update(
            LMS_INSTANCE_PATH=instance,
            LMS_DATABASE_URL=f"sqlite:///{instance}/week.sqlite3",
            LMS_SECRET_KEY="bench-week-of-use-secret",  # noqa: S106 - a throwaway server
            LMS_RATELIMIT_ENABLED="false",
            LMS_NUDGES_ENABLED="false",
        )
        cohort_id, logins = _setup(env)
        profiles = {mode: Path(instance) / f"profile-{mode}" for mode in ("ours", "baseline")}
        totals = {"ours": [0, 0], "baseline": [0, 0]}
        with sync_playwright() as playwright:
            for day in range(1, DAYS + 1):
                server = _serve(env, day)
                try:
                    figures = {}
                    for mode, login in zip(("ours", "baseline"), logins, strict=True):
                        figures[mode] = _one_day(
                            playwright, profiles[mode], login, cohort_id, day, mode == "ours"
                        )
                        totals[mode][0] += figures[mode][0]
                        totals[mode][1] += figures[mode][1]
                finally:
                    server.terminate()
                    server.wait(timeout=20)
                ours, base = figures["ours"], figures["baseline"]
                print(
                    f"day {day} ({ours[2]} lessons, quiz): {ours[0] / 1024:.1f} KB over {ours[1]} "
                    f"requests; baseline (no cache, no service worker) {base[0] / 1024:.1f} KB "
                    f"over {base[1]} requests"
                )
    ours_kb, base_kb = totals["ours"][0] / 1024, totals["baseline"][0] / 1024
    print(
        f"week of use ({COURSE}, {DAYS} days, throttled 3G): {ours_kb:.1f} KB over "
        f"{totals['ours'][1]} requests (budget < {BUDGET_KB} KB); baseline {base_kb:.1f} KB over "
        f"{totals['baseline'][1]} requests; ratio {ours_kb / base_kb:.2f}"
    )
    return [figure("week of use: KB transferred, 5 days on 3G", ours_kb, base_kb, BUDGET_KB, "max")]


if __name__ == "__main__":
    main()
