"""How long a board pack takes for the demo trust (target: under 10 seconds), from the database to the file.

    .venv/bin/python bench/bench_report.py                 # seeds a temporary demo database (scale 1)
    .venv/bin/python bench/bench_report.py --database sqlite:///presence.db --runs 3

Timed in process, per run: ``analytics.report.gather`` (load the records, the protected representation with
its sibling views, trends, outreach, relative likelihood, data quality, the 4PI scorecard) and then each
format's assembly and rendering (charts with matplotlib, PDF with Typst, Word, HTML, the public summary).
Also timed once: ``presence report`` as a fresh process (imports included), as a user would run it. The
published pack is timed (it includes disclosure control, the slower path). Each stage's CPU time (this process,
all threads) is recorded too: on a shared machine it is the better guide to what a quiet one would take.
Results are printed and written to bench/out/report.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
TARGET_S = 10.0


def _seed(scale: int) -> str:
    from models.db import get_engine, upgrade_schema
    from models.seeding import load_reference_baselines, seed_demo

    url = f"sqlite:///{tempfile.mkdtemp(prefix='presence-bench-')}/demo.db"
    engine = get_engine(url)
    upgrade_schema(engine)
    load_reference_baselines(engine)
    seed_demo(engine=engine, scale=scale)
    engine.dispose()
    return url


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", help="a database URL with the demo trust (default: seed a temporary one)")
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--organisation", default="DEMO")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    url = args.database or _seed(args.scale)
    os.environ["PRESENCE_DATABASE_URL"] = url

    from analytics import report
    from analytics.roles import Viewer
    from models.db import get_engine

    engine = get_engine(url)
    steward = Viewer(email="bench", roles={1: "data_steward"}, local_mode=True)
    runs = []
    for _ in range(args.runs):
        started, cpu = time.perf_counter(), time.process_time()
        figures = report.gather(engine, report.PackRequest(args.organisation), steward)
        stages = {"gather": time.perf_counter() - started, "gather_cpu": time.process_time() - cpu}
        for name in ("pdf", "docx", "html", "public"):
            begun, cpu = time.perf_counter(), time.process_time()
            report.build(figures, name)
            stages[name] = time.perf_counter() - begun
            stages[f"{name}_cpu"] = time.process_time() - cpu
        stages["pdf_pack_total"] = stages["gather"] + stages["pdf"]
        stages["pdf_pack_cpu"] = stages["gather_cpu"] + stages["pdf_cpu"]
        runs.append(stages)
        print({k: round(v, 2) for k, v in stages.items()})
    with tempfile.TemporaryDirectory() as folder:
        begun = time.perf_counter()
        subprocess.run([str(Path(sys.executable).parent / "presence"), "report", "--organisation", args.organisation,
                        "--output", f"{folder}/pack.pdf"], check=True, env=os.environ.copy(), capture_output=True)
        cold = time.perf_counter() - begun
    totals = [r["pdf_pack_total"] for r in runs]
    cpu = [r["pdf_pack_cpu"] for r in runs]
    result = {
        "database": f"temporary demo (scale {args.scale})" if not args.database else "given",
        "runs": runs, "best_s": min(totals), "median_s": statistics.median(totals), "best_cpu_s": min(cpu),
        "cold_cli_s": cold,
        "target_s": TARGET_S, "load_average": os.getloadavg(),
    }
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "report.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(f"PDF pack (gather + render): best {min(totals):.1f} s, median {statistics.median(totals):.1f} s "
          f"(CPU time of this process, all threads: best {min(cpu):.1f} s); "
          f"'presence report' as a fresh process: {cold:.1f} s (target {TARGET_S:.0f} s); "
          f"load average {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
