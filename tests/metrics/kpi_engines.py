"""Load the same rows into DuckDB, PostgreSQL or Spark and hand the KPI engine its tables.

DuckDB and PostgreSQL get a real workspace schema (Alembic migrations); Spark gets temporary
views (one per table, names prefixed per data set) read from a loaded DuckDB store, with the
schema's column types, through Ibis's PySpark backend.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from keepwise.metrics import Tables
from keepwise.store import Store, schema
from keepwise.workspace import Workspace

ENGINES = ("duckdb", "postgres", "spark")
Rows = dict[str, list[dict[str, Any]]]


def insert(store: Store, rows: Rows) -> None:
    """Insert the rows (a key missing from a row is null) into a migrated store."""
    with store.begin() as conn:
        for name in Tables.NAMES:
            if name == "reasons":
                continue
            table = schema.metadata.tables[name]
            conn.execute(table.delete())
            items = rows.get(name, [])
            if items:
                keys = sorted({k for r in items for k in r})
                conn.execute(table.insert(), [{k: r.get(k) for k in keys} for r in items])


def load_workspace(path: Path, rows: Rows, db_url: str | None = None) -> Workspace:
    ws = Workspace.init(path, db_url=db_url, lang="en")
    insert(ws.store, rows)
    return ws


def start_spark() -> Any:
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("keepwise-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    return session


def _spark_type(column: sa.Column[Any]) -> Any:
    from pyspark.sql import types as st

    kinds = [
        (sa.DateTime, st.TimestampNTZType()), (sa.Date, st.DateType()),
        (sa.Text, st.StringType()), (sa.Float, st.DoubleType()),
        (sa.BigInteger, st.LongType()), (sa.Integer, st.IntegerType()),
        (sa.Boolean, st.BooleanType()), (sa.LargeBinary, st.BinaryType()),
    ]  # fmt: skip
    return next(kind for sa_type, kind in kinds if isinstance(column.type, sa_type))


def spark_tables(session: Any, store: Store, prefix: str) -> Tables:
    """Temp views ``{prefix}_{table}`` with the store's rows, as the engine's tables."""
    import ibis
    from pyspark.sql import types as st

    with store.begin() as conn:
        for name in Tables.NAMES:
            table = schema.metadata.tables[name]
            rows = [tuple(r) for r in conn.execute(sa.select(table))]
            fields = [st.StructField(c.name, _spark_type(c), True) for c in table.columns]
            frame = session.createDataFrame(rows, st.StructType(fields))
            frame.cache().createOrReplaceTempView(f"{prefix}_{name}")
            frame.count()  # cached: Spark knows their sizes and broadcasts the small ones
    con = ibis.pyspark.connect(session)
    return Tables(**{n: con.table(f"{prefix}_{n}") for n in Tables.NAMES}, backend=con,
                  keep=True)  # fmt: skip
