"""Bulk upsert of an Arrow table into a workspace table, inside the caller's transaction.

DuckDB reads the Arrow table in place; PostgreSQL receives it through COPY into a temporary
table. Either way one ``INSERT … ON CONFLICT (key) DO UPDATE`` statement merges it, so a
re-import updates rows instead of duplicating them.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import sqlalchemy as sa

STAGED = "kw_staged"


@dataclass(frozen=True)
class UpsertCounts:
    inserted: int
    updated: int


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def stage(conn: sa.Connection, data: pa.Table, like: str) -> None:
    """Make ``data`` readable as the table ``kw_staged`` on this connection."""
    if conn.dialect.name == "duckdb":
        conn.connection.driver_connection.register(STAGED, data)  # type: ignore[union-attr]
        return
    cols = ", ".join(_q(c) for c in data.column_names)
    conn.exec_driver_sql(f"DROP TABLE IF EXISTS {STAGED}")
    conn.exec_driver_sql(
        f"CREATE TEMP TABLE {STAGED} AS SELECT {cols} FROM {_q(like)} WITH NO DATA"
    )
    buffer = io.BytesIO()
    pacsv.write_csv(data, buffer, pacsv.WriteOptions(include_header=False, quoting_style="needed"))
    raw: Any = conn.connection.driver_connection
    with (
        raw.cursor() as cur,
        cur.copy(f"COPY {STAGED} ({cols}) FROM STDIN WITH (FORMAT csv)") as copy,
    ):
        copy.write(buffer.getvalue())


def unstage(conn: sa.Connection) -> None:
    if conn.dialect.name == "duckdb":
        conn.connection.driver_connection.unregister(STAGED)  # type: ignore[union-attr]
    else:
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {STAGED}")


def upsert(
    conn: sa.Connection,
    table: sa.Table,
    data: pa.Table,
    key: tuple[str, ...],
    constants: dict[str, object] | None = None,
) -> UpsertCounts:
    """Insert or update ``data`` (columns named as the table's) by ``key``."""
    constants = constants or {}
    stage(conn, data, table.name)
    try:
        join = " AND ".join(f"t.{_q(k)} = s.{_q(k)}" for k in key)
        updated = conn.exec_driver_sql(
            f"SELECT count(*) FROM {STAGED} s JOIN {_q(table.name)} t ON {join}"
        ).scalar_one()
        cols = [*data.column_names, *constants]
        select = [*(_q(c) for c in data.column_names), *(f":{c}" for c in constants)]
        sets = ", ".join(f"{_q(c)} = excluded.{_q(c)}" for c in cols if c not in key)
        conflict = f"DO UPDATE SET {sets}" if sets else "DO NOTHING"
        conn.execute(
            sa.text(
                f"INSERT INTO {_q(table.name)} ({', '.join(_q(c) for c in cols)}) "
                f"SELECT {', '.join(select)} FROM {STAGED} "
                f"ON CONFLICT ({', '.join(_q(k) for k in key)}) {conflict}"
            ),
            constants,
        )
    finally:
        unstage(conn)
    return UpsertCounts(inserted=data.num_rows - int(updated), updated=int(updated))


def column_values(conn: sa.Connection, table: str, column: str) -> pa.Array:
    """All distinct non-null values of a text column, as Arrow (for reference checks)."""
    if conn.dialect.name == "duckdb":
        result = conn.connection.driver_connection.execute(  # type: ignore[union-attr]
            f"SELECT DISTINCT {_q(column)} AS k FROM {_q(table)} WHERE {_q(column)} IS NOT NULL"
        ).to_arrow_table()
        return result.column("k").combine_chunks().cast(pa.string())
    rows = conn.exec_driver_sql(
        f"SELECT DISTINCT {_q(column)} FROM {_q(table)} WHERE {_q(column)} IS NOT NULL"
    ).scalars()
    return pa.array(list(rows), pa.string())
