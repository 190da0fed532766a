"""The one bulk insert (``models.bulk.insert_frame``) that the importer and the demo seeding share: every row
comes back as written, on both paths (executemany; COPY on PostgreSQL above ``COPY_ABOVE`` rows), on SQLite and
PostgreSQL, inside the caller's transaction."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import polars as pl
import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from models import crud
from models.bulk import CHUNK, COPY_ABOVE, insert_frame
from models.tables import Baseline, OrganisationCreate, Payment, Person, table_of


def _organisation_with_a_person(engine: Engine) -> tuple[int, int]:
    with Session(engine) as session:
        organisation = crud.create_organisation(
            session=session, organisation=OrganisationCreate(code="B1", name="Bulk trust")
        )
        assert organisation.id is not None
        session.add(Person(organisation_id=organisation.id, ref="P1", involvement_type="carer"))
        person = Person(organisation_id=organisation.id, ref="P2", involvement_type="carer")
        session.add(person)
        session.commit()
        assert person.id != organisation.id  # so that the two constants cannot be swapped unseen
        assert person.id is not None
        return organisation.id, person.id


def _payments(n: int) -> pl.DataFrame:
    """n payments: every third one unpaid (null date), amounts in pence that a float would not hold exactly."""
    start = date(2025, 1, 1)
    return pl.DataFrame(
        {
            "ref": [f"PAY{i:05d}" for i in range(n)],
            "kind": [("fee", "travel", "expense")[i % 3] for i in range(n)],
            "claim_date": [start + timedelta(days=i % 300) for i in range(n)],
            "paid_date": [None if i % 3 == 0 else start + timedelta(days=i % 300 + 5) for i in range(n)],
            "amount": [Decimal(f"{i % 97}.{i % 100:02d}") for i in range(n)],
        },
        schema={"ref": pl.String, "kind": pl.String, "claim_date": pl.Date, "paid_date": pl.Date,
                "amount": pl.Decimal(12, 2)},
    )


@pytest.mark.parametrize("n", [1, COPY_ABOVE, COPY_ABOVE + 1, 1_000])  # 100 rows: executemany; 101: COPY on PG
def test_every_row_comes_back_as_written(engine, n):
    organisation_id, person_id = _organisation_with_a_person(engine)
    frame = _payments(n)
    table = table_of(Payment)
    with engine.begin() as connection:
        added = insert_frame(connection, table, frame, {"organisation_id": organisation_id, "person_id": person_id})
    assert added == n
    with engine.connect() as connection:
        rows = connection.execute(
            select(table.c.ref, table.c.kind, table.c.claim_date, table.c.paid_date, table.c.amount,
                   table.c.organisation_id, table.c.person_id, table.c.activity_id).order_by(table.c.ref)
        ).all()
    expected = [(*r, organisation_id, person_id, None) for r in frame.iter_rows()]
    assert [tuple(r) for r in rows] == expected


def test_an_empty_frame_inserts_nothing(sqlite_engine):
    with sqlite_engine.begin() as connection:
        assert insert_frame(connection, table_of(Payment), _payments(0), {"organisation_id": 1}) == 0


def test_more_rows_than_a_chunk_are_all_written(sqlite_engine):
    """CHUNK + 1 rows take two executemany calls; the null organisation (a reference baseline) is a constant."""
    n = CHUNK + 1
    frame = pl.DataFrame(
        {
            "source": ["census2021"] * n,
            "year": [2021] * n,
            "geography_code": [f"E{i:08d}" for i in range(n)],
            "geography_name": [f"Area {i}" for i in range(n)],
            "characteristic": ["sex"] * n,
            "group": ["female"] * n,
            "count": [float(i) + 0.5 for i in range(n)],
        }
    )
    table = table_of(Baseline)
    with sqlite_engine.begin() as connection:
        assert insert_frame(connection, table, frame, {"organisation_id": None}) == n
    with sqlite_engine.connect() as connection:
        rows = connection.execute(
            select(table.c.geography_code, table.c.count, table.c.organisation_id).order_by(table.c.geography_code)
        ).all()
    assert [tuple(r) for r in rows] == [(f"E{i:08d}", i + 0.5, None) for i in range(n)]


def test_a_failed_transaction_leaves_nothing_behind(engine):
    """The insert runs in the caller's transaction (COPY too): a later failure rolls the rows back."""
    organisation_id, person_id = _organisation_with_a_person(engine)
    table = table_of(Payment)
    with pytest.raises(RuntimeError, match="after the insert"):
        with engine.begin() as connection:
            insert_frame(connection, table, _payments(COPY_ABOVE + 50),
                         {"organisation_id": organisation_id, "person_id": person_id})
            raise RuntimeError("after the insert")
    with engine.connect() as connection:
        assert connection.execute(select(table.c.id)).all() == []
