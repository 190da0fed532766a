"""Benchmark: the dashboard in a real browser (headless Chromium, Playwright): cold start to a fully drawn
Overview, the first sign of life, a second visit, and the first Overview after importing 1,000 rows.

    .venv/bin/python bench/bench_cold_start.py --url sqlite:////tmp/s100.db [--url postgresql://...] [--runs 2]
        [--app /path/to/another/checkout ...]

With several ``--app`` folders (checkouts of Presence, for instance ``git worktree add --detach /tmp/before
COMMIT``), each run starts one server per folder in turn, so before and after are measured side by side on
the same loaded machine; every run prints the server's CPU time too (its own and its child processes'), which
the load changes less than wall time.

The database must already hold the demo trust. For each URL and run: ``streamlit run dashboard/app.py`` is
started fresh (nothing cached, nothing imported), and a new browser page opens the Overview as soon as the server
answers its health check. Times are from the navigation's start (``performance.now()`` in the page):
- first feedback: a spinner, a heading or a message is on screen (the target: within 0.5 s);
- drawn: the script has finished, no spinner is left and the Overview's "Key numbers" are on screen;
- what the browser waits for before anything can be drawn: Streamlit's JavaScript loaded (DOMContentLoaded)
  and its websocket open.
Then a second page visits again (server warm), 1,000 attendance rows (people at meetings they did not attend
before) are imported through ``models.importer.import_file`` by this process, and a third page visits: the
after-import render. Uses Debian's /usr/bin/chromium (Playwright cannot download browsers here).
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CHROMIUM = "/usr/bin/chromium"
TIMEOUT_MS = 300_000

# Records, in the page, when the first feedback appears and when the Overview is fully drawn.
WATCH = """
(() => {
  window.__times = {};
  const check = () => {
    const now = performance.now();
    const app = document.querySelector('[data-testid="stApp"]');
    const spinner = document.querySelector('[data-testid="stSpinner"]');
    if (!window.__times.feedback && (spinner || document.querySelector('h1, [data-testid="stAlert"]'))) {
      window.__times.feedback = now;
    }
    const finished = app && app.getAttribute('data-test-script-state') === 'notRunning';
    const numbers = [...document.querySelectorAll('h3')].some(h => h.textContent.includes('Key numbers'));
    if (finished && numbers && !spinner && !window.__times.drawn) { window.__times.drawn = now; }
  };
  new MutationObserver(check).observe(document, {subtree: true, childList: true, attributes: true});
  setInterval(check, 20);
  document.addEventListener('DOMContentLoaded', () => { window.__times.frontend = performance.now(); });
  const Socket = window.WebSocket;
  window.WebSocket = function (...args) {
    const socket = new Socket(...args);
    socket.addEventListener('open', () => {
      window.__times.websocket = window.__times.websocket || performance.now();
    });
    return socket;
  };
  window.WebSocket.prototype = Socket.prototype;
})();
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def cpu_seconds(pid: int, *, children: bool = True) -> float:
    """CPU time of a process (with ``children``, only of its children that have finished; Linux /proc), in
    seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    own, waited = fields[11:13], fields[13:15]
    return sum(int(v) for v in (waited if children else own)) / os.sysconf("SC_CLK_TCK")


def server_cpu(pid: int) -> float:
    return cpu_seconds(pid, children=False) + cpu_seconds(pid)


def start_server(database_url: str, log, app: Path = ROOT) -> tuple[subprocess.Popen, str, float]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRESENCE_")}
    env |= {"PRESENCE_DATABASE_URL": database_url, "PYTHONPATH": str(app)}
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(app / "dashboard" / "app.py"), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=app, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    while not healthy(url):
        if process.poll() is not None:
            raise RuntimeError(f"streamlit stopped: see {log.name}")
        time.sleep(0.1)
    return process, url, time.perf_counter() - started


def visit(browser, url: str) -> dict[str, float]:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.add_init_script(WATCH)
    page.goto(url, wait_until="commit")
    page.wait_for_function("window.__times && window.__times.drawn", timeout=TIMEOUT_MS)
    times = page.evaluate("window.__times")
    page.close()
    return {k: v / 1000 for k, v in times.items()}


def import_attendance(database_url: str, rows: int = 1000) -> float:
    """Import ``rows`` new attendance records (people at meetings they have not attended); returns seconds."""
    from sqlalchemy import text

    from models.db import get_engine
    from models.importer import import_file

    engine = get_engine(database_url)
    with engine.connect() as connection:
        code = connection.execute(text("SELECT code FROM organisation ORDER BY id LIMIT 1")).scalar_one()
        pairs = connection.execute(text(
            "SELECT m.ref, p.ref FROM meeting m JOIN person p ON p.organisation_id = m.organisation_id "
            "WHERE m.id % 97 = 0 AND p.id % 89 = 0 AND NOT EXISTS (SELECT 1 FROM attendance a "
            "WHERE a.meeting_id = m.id AND a.person_id = p.id) LIMIT :n"), {"n": rows}).all()
    content = "meeting_ref,person_ref,status\n" + "".join(f"{m},{p},attended\n" for m, p in pairs)
    started = time.perf_counter()
    report = import_file(engine=engine, path_or_bytes=content.encode(), file_name="attendance.csv",
                         organisation_code=code)
    assert report.committed and report.added == len(pairs) == rows, report
    engine.dispose()
    return time.perf_counter() - started


def measure(browser, url: str, app: Path, log, *, with_import: bool) -> dict[str, float]:
    """One fresh server for ``app`` on ``url``: cold visit, second visit, import, visit after the import."""
    process, address, boot = start_server(url, log, app)
    try:
        cpu_start, child_start = server_cpu(process.pid), cpu_seconds(process.pid)
        cold = visit(browser, address)
        cpu_cold, child_cold = server_cpu(process.pid), cpu_seconds(process.pid)
        warm = visit(browser, address)
        cpu_warm = server_cpu(process.pid)
        found = {"server start": boot, "cold: frontend loaded": cold.get("frontend", 0.0),
                 "cold: websocket open": cold.get("websocket", 0.0),
                 "cold: first feedback": cold.get("feedback", 0.0), "cold: Overview drawn": cold["drawn"],
                 "cold: server CPU": cpu_cold - cpu_start, "cold: of which child processes": child_cold - child_start,
                 "second visit: drawn": warm["drawn"],
                 "second visit: server CPU": cpu_warm - cpu_cold}
        if with_import:
            found["import 1,000 attendance rows"] = import_attendance(url)
            cpu_before = server_cpu(process.pid)
            after = visit(browser, address)
            found["after import: drawn"] = after["drawn"]
            found["after import: server CPU"] = server_cpu(process.pid) - cpu_before
    finally:
        process.terminate()
        process.wait(timeout=30)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", action="append", required=True)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--app", action="append", type=Path,
                        help="a Presence checkout to run (repeat to compare, alternating); default: this one")
    parser.add_argument("--no-import", action="store_true", help="skip the after-import visit")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    apps = [a.resolve() for a in args.app] if args.app else [ROOT]
    print(f"load average {os.getloadavg()[0]:.1f}")
    with sync_playwright() as playwright, tempfile.TemporaryDirectory() as folder:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        for url in args.url:
            results: dict[Path, dict[str, list[float]]] = {app: {} for app in apps}
            for run in range(args.runs):
                for index, app in enumerate(apps):
                    with open(Path(folder) / f"streamlit-{run}-{index}.log", "w") as log:
                        found = measure(browser, url, app, log, with_import=not args.no_import)
                    for key, value in found.items():
                        results[app].setdefault(key, []).append(value)
            print(url.split("@")[-1], f"(load average {os.getloadavg()[0]:.1f})")
            for app in apps:
                if len(apps) > 1:
                    print(f" {app}")
                for key, values in results[app].items():
                    runs = [round(v, 2) for v in values]
                    print(f"  {key:<30} median {statistics.median(values):6.2f} s  runs {runs}")
            if len(apps) > 1:
                first = results[apps[0]]
                for app in apps[1:]:
                    for key in ("cold: Overview drawn", "cold: server CPU"):
                        pairs = [round(b / a, 2) for a, b in zip(results[app][key], first[key], strict=True)]
                        print(f"  {key}: {apps[0].name} / {app.name} per run {pairs}")
        browser.close()
    print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
