"""``ws.reports``: the reports managers hand on (docs/reports.md) — ``retention``,
``void-effect`` and ``no-value`` — built from the other services' figures (so they equal
``keepwise metrics --json`` and the value and risk commands) and written as HTML, XLSX or PDF.

(The module is not ``workspace/reports.py``: that name holds the stored API results.)"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from keepwise._core.errors import InputError, NotFoundError
from keepwise._core.i18n import Lang, register
from keepwise.workspace.core import Service

if TYPE_CHECKING:
    from keepwise.reports import Document

REPORT_TYPES = ("retention", "void-effect", "no-value")

register(
    {
        "report.unknown_type": {
            "zh": "未知的报告类型 {kind}；可用：{kinds}",
            "en": "Unknown report type {kind}; use one of {kinds}",
        },
        "report.bad_grain": {
            "zh": "报告的周期粒度只能是 month 或 quarter（不是 {grain}）",
            "en": "A report's grain is month or quarter (not {grain})",
        },
    }
)


class ReportsService(Service):
    def build(
        self, kind: str, *, as_of: dt.date, lang: Lang | None = None, grain: str = "month",
        start: dt.date | None = None, end: dt.date | None = None,
    ) -> Document:  # fmt: skip
        """The report ``kind`` as a document (not yet written)."""
        lang = lang or self.ws.config.language
        if kind not in REPORT_TYPES:
            raise InputError("report.unknown_type", kind=kind, kinds=", ".join(REPORT_TYPES))
        if grain not in ("month", "quarter"):
            raise InputError("report.bad_grain", grain=grain)
        with self.ws.session():  # the sections share one customer base and timeline
            if kind == "retention":
                return self._retention(as_of, lang, grain, start, end)
            if kind == "void-effect":
                return self._void_effect(as_of, lang, grain, start, end)
            return self._no_value(as_of, lang)

    def write(
        self, kind: str, out: Path, *, as_of: dt.date, lang: Lang | None = None,
        grain: str = "month", start: dt.date | None = None, end: dt.date | None = None,
    ) -> Path:  # fmt: skip
        """Build the report and write it to ``out``; its suffix (.html, .xlsx, .pdf) picks the
        format."""
        from keepwise import reports

        reports.format_of(out)  # a bad suffix is reported before any work
        from keepwise import __version__

        doc = self.build(kind, as_of=as_of, lang=lang, grain=grain, start=start, end=end)
        doc.generator = f"Keepwise {__version__}"
        return reports.write(doc, Path(out))

    # --- the figures of each report ------------------------------------------------------

    def _range(
        self, grain: str, as_of: dt.date, start: dt.date | None, end: dt.date | None,
        metric_ids: tuple[str, ...],
    ) -> tuple[list[Any], Any]:  # fmt: skip
        """The shown periods, and the KPI rows from the period before the first shown one (the
        change of the first period needs it); the periods after the data are left out, as
        ``keepwise metrics`` leaves them out."""
        from keepwise.metrics import periods as pr

        items = pr.periods(grain, as_of=as_of, start=start, end=end)
        first = items[0].start
        kpis = self.ws.metrics.compute(list(metric_ids), as_of=as_of, grain=grain,
                                       start=pr.shift(first, grain, -1), end=end)  # type: ignore[arg-type]  # fmt: skip
        computed = {d.isoformat() if isinstance(d, dt.date) else str(d)[:10]
                    for d in kpis["period_start"]}  # fmt: skip
        shown = [p for p in items if p.start.isoformat() in computed]
        return shown, kpis

    def _notes(self, as_of: dt.date, lang: Lang) -> list[str]:
        note = self.ws.as_of(as_of).note(lang)
        return [note] if note else []

    def _retention(
        self, as_of: dt.date, lang: Lang, grain: str, start: dt.date | None, end: dt.date | None
    ) -> Document:
        from keepwise.reports import retention

        shown, kpis = self._range(grain, as_of, start, end, retention.KPIS)
        first, last = shown[0].start, shown[-1].end
        m = self.ws.metrics
        try:
            risk = self.ws.risk.risk_list(as_of=as_of)
        except NotFoundError:
            risk = None
        data = retention.RetentionData(
            workspace=self.ws.config.name, as_of=as_of, data_end=self.ws.data_end(),
            grain=grain, periods=shown, kpis=kpis,
            headline=m.headline(as_of).to_dict(),
            reasons=m.reasons(as_of=as_of, grain=grain, start=first, end=last),
            cohorts=m.cohorts(as_of=as_of, grain=grain, start=first, end=last),
            risk=risk, notes=self._notes(as_of, lang),
        )  # fmt: skip
        return retention.build(data, lang)

    def _void_effect(
        self, as_of: dt.date, lang: Lang, grain: str, start: dt.date | None, end: dt.date | None
    ) -> Document:
        """Seed 000's five parts from the one evaluation ``keepwise evaluate voids`` prints."""
        from keepwise.reports import void_effect

        evaluation = self.ws.playbooks.void_effect(as_of=as_of, start=start, end=end, grain=grain)
        data = void_effect.VoidEffectData(
            workspace=self.ws.config.name, data_end=self.ws.data_end(), evaluation=evaluation,
            notes=self._notes(as_of, lang),
        )  # fmt: skip
        return void_effect.build(data, lang)

    def _no_value(self, as_of: dt.date, lang: Lang) -> Document:
        import dataclasses

        import sqlalchemy as sa

        from keepwise.reports import no_value
        from keepwise.store import schema

        df = self.ws.value.no_value(as_of)
        owners: dict[str, str | None] = {}
        if not df.empty:
            c = schema.customers
            wanted = set(df["customer_id"])
            with self.store.begin() as conn:
                rows = conn.execute(sa.select(c.c.customer_id, c.c.owner_id))
                owners = {str(r[0]): r[1] for r in rows if r[0] in wanted}
        settings = dataclasses.asdict(self.ws.value.settings().no_value)
        data = no_value.NoValueData(
            workspace=self.ws.config.name, as_of=as_of, data_end=self.ws.data_end(),
            settings=settings, customers=df, owners=owners, notes=self._notes(as_of, lang),
        )  # fmt: skip
        return no_value.build(data, lang)
