"""One import: read → validate → load, in one transaction, recorded as an import batch.

Counts always reconcile: ``rows_read = rows_loaded + rows_rejected``. Nothing is written unless
the whole load succeeds; rejected rows go to a rejects file the user can fix and re-import. The
rejects file is written in the scratch folder and moved into place only once the batch is
committed, so a failed or killed import leaves none behind (and none that a later batch, given
the same id after a kill, would overwrite). Files written on the way live in the workspace's
scratch folder (:mod:`keepwise.ingest.scratch`), which the next import cleans after a kill.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa

from keepwise._core import clock
from keepwise._core.config import DEFAULT_TIMEZONE
from keepwise._core.disk import disk_full_error
from keepwise._core.errors import InputError
from keepwise._core.i18n import Lang, register
from keepwise._core.taxonomy import reason_lookup
from keepwise.ingest.contract import KINDS, Kind
from keepwise.ingest.mapping import Mapping
from keepwise.ingest.readers import LINE, ReadResult, read_file
from keepwise.ingest.rejects import describe_rejects, write_rejects
from keepwise.ingest.scratch import Lease
from keepwise.ingest.validate import validate
from keepwise.lifecycle import refresh_statuses
from keepwise.store import Store, schema
from keepwise.store.bulk import STAGED, column_values, stage, unstage, upsert

register(
    {
        "import.unknown_kind": {
            "zh": "未知的导入类型 {kind}；可用：{kinds}",
            "en": "Unknown import kind {kind}; use one of {kinds}",
        },
    }
)

#: (stage, done, total): stage is "read", "validate" or "load".
ProgressFn = Callable[[str, int, int], None]


@dataclass
class ImportResult:
    kind: str
    file: str
    batch_id: int
    rows_read: int
    rows_loaded: int
    rows_rejected: int
    rows_inserted: int
    rows_updated: int
    encoding: str | None
    checksum: str
    rejects_file: str | None
    ignored_columns: list[str] = field(default_factory=list)
    owners_created: int = 0
    #: The columns as the importer read them: source column → canonical column.
    mapping: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def get_kind(name: str) -> Kind:
    if name not in KINDS:
        raise InputError("import.unknown_kind", kind=name, kinds=", ".join(KINDS))
    return KINDS[name]


def import_file(
    store: Store,
    kind_name: str,
    path: Path,
    *,
    today: dt.date,
    mapping: Mapping | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    rejects_dir: Path,
    scratch_dir: Path | None = None,
    lang: Lang = "en",
    actor: str | None = None,
    progress: ProgressFn | None = None,
    timezone: str = DEFAULT_TIMEZONE,
) -> ImportResult:
    """Import one file. ``scratch_dir`` (default: ``tmp`` beside ``rejects_dir``) holds the
    files written on the way; a full disk there or under the database is reported as such."""
    kind = get_kind(kind_name)
    job = _Job(kind, path, mapping or Mapping(), today, lang, actor, progress, timezone)
    scratch_dir = scratch_dir or rejects_dir.parent / "tmp"
    try:
        with Lease(scratch_dir) as lease:
            read = read_file(
                path,
                encoding=encoding or job.mapping.encoding,
                delimiter=delimiter or job.mapping.delimiter,
                progress=(lambda d, t: progress("read", d, t)) if progress else None,
                temp_dir=lease.folder,
            )
            partial = lease.folder / "rejects.csv"
            result = store.transact(lambda conn: job.load(conn, read, rejects_dir, partial))
            if result.rejects_file:
                os.replace(partial, result.rejects_file)  # committed: the file may appear
    except OSError as exc:
        full = disk_full_error(exc, scratch_dir)
        if full is None:
            raise
        raise full from exc
    if progress:
        progress("load", 1, 1)
    return result


@dataclass
class _Job:
    kind: Kind
    path: Path
    mapping: Mapping
    today: dt.date
    lang: Lang
    actor: str | None
    progress: ProgressFn | None
    timezone: str = DEFAULT_TIMEZONE
    started: dt.datetime = field(default_factory=clock.now)

    def load(
        self, conn: sa.Connection, read: ReadResult, rejects_dir: Path, partial: Path
    ) -> ImportResult:
        """Validate and load in the caller's transaction (run again after a deadlock)."""
        kind = self.kind
        references = _references(conn, kind)
        lookup = reason_lookup() | _custom_reasons(conn)
        checked = validate(
            read.table, kind, self.mapping, today=self.today, references=references,
            reasons=lookup, spill_dir=partial.parent / "duckdb", timezone=self.timezone,
        )  # fmt: skip
        if self.progress:
            self.progress("validate", 1, 1)
        rejects = describe_rejects(
            checked.rejected, read.malformed, kind, self.lang, self.today.isoformat()
        )
        batch_id = _start_batch(
            conn, kind, self.path, read.checksum, read.encoding, self.started, self.actor
        )
        counts = upsert(
            conn,
            schema.IMPORT_TABLES[kind.name],
            checked.accepted.drop_columns([LINE]),
            kind.key,
            {"import_batch_id": batch_id},
        )
        owners_created = _after_load(conn, kind, checked.accepted)
        rejects_file = None
        if rejects:
            rejects_file = _unused_name(rejects_dir, f"{kind.name}-{batch_id}-rejects", ".csv")
            header = [c for c in checked.rejected.column_names if c not in (LINE, "errors")]
            try:
                write_rejects(partial, rejects, header, self.lang)
            except OSError as exc:
                exc.filename = exc.filename or str(partial)  # a failed write names no file
                raise
        result = ImportResult(
            kind=kind.name,
            file=self.path.name,
            batch_id=batch_id,
            rows_read=checked.accepted.num_rows + len(rejects),
            rows_loaded=checked.accepted.num_rows,
            rows_rejected=len(rejects),
            rows_inserted=counts.inserted,
            rows_updated=counts.updated,
            encoding=read.encoding,
            checksum=read.checksum,
            rejects_file=str(rejects_file) if rejects_file else None,
            ignored_columns=checked.ignored_columns,
            owners_created=owners_created,
            mapping=checked.column_mapping,
        )
        _finish_batch(conn, result)
        return result


def _unused_name(folder: Path, stem: str, suffix: str) -> Path:
    """``folder/stem.suffix``, or ``stem-2.suffix`` … where that exists already (a workspace
    whose database was replaced keeps its old rejects files): never overwrite one."""
    folder.mkdir(parents=True, exist_ok=True)
    candidate, n = folder / f"{stem}{suffix}", 1
    while candidate.exists():
        n += 1
        candidate = folder / f"{stem}-{n}{suffix}"
    return candidate


def _references(conn: sa.Connection, kind: Kind) -> dict[str, pa.Array]:
    refs: dict[str, pa.Array] = {}
    for col in kind.columns:
        if col.references and col.references not in refs:
            target = KINDS[col.references]
            refs[col.references] = column_values(conn, target.table, target.key[0])
    return refs


def _custom_reasons(conn: sa.Connection) -> dict[str, str]:
    rows = conn.execute(sa.select(schema.reasons.c.code, schema.reasons.c.label_zh,
                                  schema.reasons.c.label_en)).all()  # fmt: skip
    return {str(s).strip().lower(): code for code, *labels in rows for s in (code, *labels) if s}


def _start_batch(
    conn: sa.Connection,
    kind: Kind,
    path: Path,
    checksum: str,
    encoding: str | None,
    started: dt.datetime,
    actor: str | None,
) -> int:
    return int(
        conn.execute(
            sa.insert(schema.import_batches)
            .values(
                kind=kind.name,
                file_name=path.name,
                checksum=checksum,
                encoding=encoding,
                rows_read=0,
                rows_loaded=0,
                rows_rejected=0,
                started_at=started,
                actor=actor,
            )
            .returning(schema.import_batches.c.id)
        ).scalar_one()
    )


def _finish_batch(conn: sa.Connection, r: ImportResult) -> None:
    conn.execute(
        sa.update(schema.import_batches)
        .where(schema.import_batches.c.id == r.batch_id)
        .values(
            rows_read=r.rows_read,
            rows_loaded=r.rows_loaded,
            rows_rejected=r.rows_rejected,
            rows_inserted=r.rows_inserted,
            rows_updated=r.rows_updated,
            rejects_path=r.rejects_file,
            finished_at=clock.now(),
        )
    )


def _after_load(conn: sa.Connection, kind: Kind, accepted: pa.Table) -> int:
    """Keep derived data in step: current statuses after status events; owners named by
    customers but not imported yet become owner records (CRM exports often name owners only)."""
    if kind.name == "status-events":
        ids = pa.table({"customer_id": pc.unique(accepted.column("customer_id"))})
        stage(conn, ids, "customers")
        try:
            refresh_statuses(conn, f"SELECT customer_id FROM {STAGED}")
        finally:
            unstage(conn)
    if kind.name == "customers" and "owner_id" in accepted.column_names:
        # ON CONFLICT: a concurrent import (PostgreSQL) may create the same owner first.
        created = conn.exec_driver_sql(
            "INSERT INTO owners (owner_id, name, active) SELECT DISTINCT owner_id, owner_id, TRUE "
            "FROM customers WHERE owner_id IS NOT NULL "
            "AND owner_id NOT IN (SELECT owner_id FROM owners) "
            "ORDER BY owner_id ON CONFLICT (owner_id) DO NOTHING RETURNING owner_id"
        ).all()
        return len(created)
    return 0
