"""Read query results in a separate process, Arrow-native (ADBC), and hand them back as Arrow IPC files.

Why a child process: ADBC reads SQLite 4-5 times faster than the sqlite3 module (no Python object per value),
but adbc-driver-sqlite carries its own copy of SQLite, and two copies of SQLite in one process do not see each
other's POSIX locks (after a committed import, a read through the second copy returned the old tables; see
``models.db``). In another process that copy is simply another SQLite client, which SQLite is built for. The
child also works in parallel with the dashboard: ``dashboard/app.py`` starts the first organisation's read
before it imports the analytics, so the two cores read and import at the same time.

The parent (:func:`start`) sends the queries on the child's standard input as JSON; the child runs them in one
transaction, in order, and writes each result to ``<folder>/<index>.arrow``; :meth:`ChildRead.result` waits
and reads the files back with polars. Results are raw (as the database gives them: dates as text on SQLite,
booleans as integers); the caller converts them, as the in-process readers do (``models.db.conform``).

The child runs this file as a script (``python -I models/child_read.py``), so it imports neither the
``models`` package nor SQLAlchemy: only polars and the ADBC driver. The parent side imports no driver.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import polars as pl

CHILD_FAILED = "The background read of the database failed: {reason}"
# Each result in one batch: ADBC's SQLite driver infers a column's type from the first batch it reads.
_SQLITE_BATCH_ROWS = str(1 << 30)


@dataclass
class ChildRead:
    """A read running in a child process (:func:`start`); :meth:`result` waits for it."""

    names: list[str]
    process: subprocess.Popen[bytes]
    folder: Path
    _result: dict[str, pl.DataFrame] | None = field(default=None, repr=False)

    def done(self) -> bool:
        return self._result is not None or self.process.poll() is not None

    def result(self, timeout: float | None = None) -> dict[str, pl.DataFrame]:
        """{name: raw frame}, in the order the queries were given; ``RuntimeError`` when the child failed."""
        if self._result is not None:
            return self._result
        import polars as pl

        try:
            _, errors = self.process.communicate(timeout=timeout)
            if self.process.returncode != 0:
                reason = errors.decode(errors="replace").strip().splitlines()
                raise RuntimeError(CHILD_FAILED.format(reason=reason[-1] if reason else self.process.returncode))
            self._result = {
                name: pl.read_ipc(self.folder / f"{index}.arrow")
                for index, name in enumerate(self.names)
            }
            return self._result
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()
            shutil.rmtree(self.folder, ignore_errors=True)

    def cancel(self) -> None:
        """Stop the child (when it still runs) and remove its files."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


def target(backend: str, database: str | None, uri: str) -> dict[str, str] | None:
    """What the child connects to, or None when this database cannot be read from another process (an
    in-memory SQLite database, or a backend without an ADBC driver here)."""
    if backend == "sqlite":
        if not database or database == ":memory:" or database.startswith("file::memory:"):
            return None
        return {"driver": "sqlite", "uri": str(Path(database).resolve())}
    if backend == "postgresql":
        return {"driver": "postgresql", "uri": uri}
    return None


def start(connect_to: dict[str, str], queries: dict[str, str]) -> ChildRead:
    """Start reading ``queries`` ({name: SQL}) from ``connect_to`` (see :func:`target`) in a child process."""
    folder = Path(tempfile.mkdtemp(prefix="presence-read-"))
    request = {**connect_to, "queries": list(queries.values()), "folder": str(folder)}
    process = subprocess.Popen(
        [sys.executable, "-I", str(Path(__file__).resolve())],
        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    assert process.stdin is not None
    try:
        process.stdin.write(json.dumps(request).encode())
        process.stdin.close()
    except OSError:  # the child died at once; result() reports why
        pass
    process.stdin = None  # written and closed: communicate() only waits
    return ChildRead(list(queries), process, folder)


# --- The child -----------------------------------------------------------------------------------------------

def _connect(driver: str, uri: str) -> tuple[Any, Any]:
    import adbc_driver_manager as adbc

    if driver == "sqlite":
        import adbc_driver_sqlite

        database = adbc_driver_sqlite.connect(f"file:{uri}?mode=ro")
    else:
        import adbc_driver_postgresql

        database = adbc_driver_postgresql.connect(uri)
    connection = adbc.AdbcConnection(database)
    return database, connection


def _child(request: dict[str, Any]) -> None:
    import adbc_driver_manager as adbc
    import polars as pl

    driver, folder = request["driver"], Path(request["folder"])
    database, connection = _connect(driver, request["uri"])
    try:
        connection.set_autocommit(False)  # one transaction: every result from the same state of the database
        for index, sql in enumerate(request["queries"]):
            statement = adbc.AdbcStatement(connection)
            try:
                if driver == "sqlite":
                    statement.set_options(**{"adbc.sqlite.query.batch_rows": _SQLITE_BATCH_ROWS})
                statement.set_sql_query(sql)
                stream, _ = statement.execute_query()
                frame = pl.DataFrame(stream)
            finally:
                statement.close()
            storage = [pl.col(n).ext.storage() for n, t in frame.schema.items() if isinstance(t, pl.Extension)]
            (frame.with_columns(storage) if storage else frame).write_ipc(folder / f"{index}.arrow")
        connection.rollback()
    finally:
        connection.close()
        database.close()


if __name__ == "__main__":
    try:
        _child(json.loads(sys.stdin.buffer.read()))
    except Exception as error:  # noqa: BLE001 - reported to the parent, which falls back to its own reader
        print(f"{type(error).__name__}: {error}", file=sys.stderr)
        sys.exit(1)
    os._exit(0)  # nothing to clean up: skip the interpreter's slow shutdown
