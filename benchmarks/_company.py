"""The demo company loaded straight into a workspace's DuckDB file: the set-up of the
benchmarks that measure what comes after an import (the import path itself is measured by
benchmarks/import_orders.py)."""

from __future__ import annotations

from typing import Any

#: Generator kinds whose table is named otherwise.
TABLES = {"status-events": "status_events", "spend": "marketing_spend"}


def load_frames(ws: Any, frames: dict[str, Any]) -> int:
    """Insert each generated frame into its table, emptying ``frames`` as it goes (the frames
    of a large company are gigabytes), and checkpoint; returns the number of orders."""
    orders = len(frames["orders"]) if "orders" in frames else 0
    pooled = ws.store.engine.raw_connection()
    con = pooled.driver_connection
    for kind in list(frames):
        frame = frames.pop(kind)
        cols = ", ".join(frame.columns)
        con.register("kw_frame", frame)
        con.execute(f"INSERT INTO {TABLES.get(kind, kind)} ({cols}) SELECT {cols} FROM kw_frame")
        con.unregister("kw_frame")
        del frame
    con.execute("CHECKPOINT")
    pooled.close()  # back to the pool (closing the DuckDB connection itself would break it)
    return orders
