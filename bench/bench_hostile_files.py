"""Time and memory to refuse the hostile files of the security review (issue 14, finding 4).

Target: each file is refused in under 5 s and under 300 MB, with one sentence. Each file is imported by
``presence import`` in a child process (a fresh interpreter, so its peak memory is that import's alone), and
the child's wall time, CPU time and peak resident memory are printed.

    .venv/bin/python bench/bench_hostile_files.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "models")]

from hostile_workbooks import blank_rows_workbook, far_row_workbook  # noqa: E402
from sqlmodel import Session  # noqa: E402

from models import crud  # noqa: E402
from models.db import get_engine, upgrade_schema  # noqa: E402
from models.tables import OrganisationCreate  # noqa: E402

CHILD = """
import resource, sys, time
def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
start = time.perf_counter()
from presence_cli import main
from models.db import get_engine, upgrade_schema
upgrade_schema(get_engine())
ready, ready_cpu = time.perf_counter(), cpu()
code = main(["import", sys.argv[1], "--organisation", "T1"])
end = time.perf_counter()
print(f"RESULT exit={code} refused_in_s={end - ready:.2f} refused_cpu_s={cpu() - ready_cpu:.2f} "
      f"start_s={ready - start:.2f} peak_mb={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}",
      file=sys.stderr)
"""


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        url = f"sqlite:///{folder / 'presence.db'}"
        engine = get_engine(url)
        upgrade_schema(engine)
        with Session(engine) as session:
            crud.create_organisation(session=session, organisation=OrganisationCreate(code="T1", name="T"))
            session.commit()
        files = {
            "far row (1,048,576,000)": far_row_workbook(folder / "far_row.xlsx"),
            "19.5 million blank rows": blank_rows_workbook(folder / "blank_rows.xlsx"),
        }
        env = {k: v for k, v in os.environ.items() if not k.startswith("PRESENCE_")} | {
            "PRESENCE_DATABASE_URL": url
        }
        print(f"load average before: {os.getloadavg()[0]:.1f}")
        for label, path in files.items():
            start = time.perf_counter()
            done = subprocess.run([sys.executable, "-c", CHILD, str(path)], cwd=ROOT, env=env,
                                  capture_output=True, text=True)
            wall = time.perf_counter() - start
            lines = done.stderr.strip().splitlines()
            result = next(line for line in lines if line.startswith("RESULT"))
            sentence = next(line for line in lines if line.startswith("presence:"))
            print(f"{label}: {path.stat().st_size:,} bytes; child wall {wall:.2f} s; {result[7:]}")
            print(f"  {sentence}")
        print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
