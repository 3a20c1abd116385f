"""``ws.imports``: CRM exports into the workspace (the normal import path, also for the demo
company), and what is in it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from keepwise._core.errors import NotFoundError
from keepwise._core.i18n import Lang, register
from keepwise.store import schema
from keepwise.workspace.core import Service, TableCount

if TYPE_CHECKING:
    from keepwise.ingest import ImportResult, ProgressFn

register(
    {
        "imports.no_batch": {
            "zh": "没有编号为 {batch_id} 的导入",
            "en": "There is no import {batch_id}",
        },
        "imports.no_rejects": {
            "zh": "导入 {batch_id} 没有被拒绝的行",
            "en": "The import {batch_id} rejected no rows",
        },
    }
)

#: Import order of the demo files: referenced kinds first.
DEMO_KINDS = ("owners", "customers", "contracts", "orders", "usage", "interactions",
              "tickets", "surveys", "leads", "spend", "status-events")  # fmt: skip


class ImportsService(Service):
    def load(
        self,
        kind: str,
        path: Path,
        *,
        today: dt.date,
        mapping: Path | None = None,
        encoding: str | None = None,
        delimiter: str | None = None,
        lang: Lang | None = None,
        actor: str | None = None,
        progress: ProgressFn | None = None,
    ) -> ImportResult:
        """Import one file of ``kind`` (docs/import.md): validated row by row, rejects kept."""
        from keepwise.ingest import import_file, load_mapping

        self.viewer.require("admin", "manager")
        ws = self.ws
        return import_file(
            self.store, kind, Path(path), today=today, mapping=load_mapping(mapping),
            encoding=encoding, delimiter=delimiter, rejects_dir=ws.path / "rejects",
            scratch_dir=ws.path / "tmp", lang=lang or ws.config.language, actor=actor,
            progress=progress, timezone=ws.config.timezone,
        )  # fmt: skip

    def load_demo(
        self,
        *,
        customers: int,
        seed: int,
        as_of: dt.date,
        progress: ProgressFn | None = None,
        on_kind: Callable[[str], None] | None = None,
    ) -> list[ImportResult]:
        """Generate the demo company and load it through the normal import path."""
        from keepwise.demo import generate_company, write_company

        self.viewer.require("admin", "manager")
        frames = generate_company(n_customers=customers, seed=seed, as_of=as_of)
        files = write_company(frames, self.ws.path / "demo-data")
        del frames  # at a million customers the frames take gigabytes the import can use
        results = []
        for kind in DEMO_KINDS:
            if on_kind:
                on_kind(kind)
            results.append(self.load(kind, files[kind], today=as_of, progress=progress))
        return results

    def table_counts(self) -> list[TableCount]:
        self.viewer.require("admin", "manager")
        with self.store.begin() as conn:
            return [
                TableCount(
                    name, conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
                )
                for name, t in schema.metadata.tables.items()
            ]

    def recent(self, limit: int = 10) -> list[dict[str, Any]]:
        """The last imports, newest first."""
        self.viewer.require("admin", "manager")
        b = schema.import_batches
        with self.store.begin() as conn:
            # The limit written into the SQL: binding a parameter makes DuckDB import pandas,
            # half of `keepwise status`'s start-up.
            last = sa.literal(int(limit), literal_execute=True)
            rows = conn.execute(sa.select(b).order_by(b.c.id.desc()).limit(last)).mappings()
            return [dict(r) for r in rows]

    def batch(self, batch_id: int) -> dict[str, Any]:
        """One import: file, counts, when, by whom (managers and admins)."""
        self.viewer.require("admin", "manager")
        b = schema.import_batches
        with self.store.begin() as conn:
            row = conn.execute(sa.select(b).where(b.c.id == batch_id)).mappings().first()
        if row is None:
            raise NotFoundError("imports.no_batch", batch_id=batch_id)
        return dict(row)

    def rejects_file(self, batch_id: int) -> Path:
        """The file of an import's rejected rows, with the reason of each (in the workspace's
        ``rejects`` folder); not found when the import rejected nothing."""
        path = self.batch(batch_id)["rejects_path"]
        folder = (self.ws.path / "rejects").resolve()
        if not path or not Path(path).resolve().is_relative_to(folder) or not Path(path).is_file():
            raise NotFoundError("imports.no_rejects", batch_id=batch_id)
        return Path(path)
