"""The application facade. Interfaces (CLI, API, web) call a :class:`Workspace` and nothing
below it; the workspace wires configuration, storage and the domain packages together."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from keepwise._core import clock
from keepwise._core.config import (
    CONFIG_FILE,
    WorkspaceConfig,
    default_config_text,
    load_config,
)
from keepwise._core.errors import ConfigError, InputError, NotFoundError
from keepwise._core.i18n import Lang, register, t
from keepwise._core.taxonomy import BUILTIN_REASONS
from keepwise.ingest import ImportResult, ProgressFn, import_file, load_mapping
from keepwise.rules import Alert, Rule, RunResult
from keepwise.store import Store, activity_end, database_url_for, schema
from keepwise.value.calibration import CalibrationCheck

if TYPE_CHECKING:
    import pandas as pd

    from keepwise import metrics, risk, value
    from keepwise.metrics.headline import Headline

__all__ = ["AsOf", "TableCount", "Workspace"]

register(
    {
        "workspace.after_data": {
            "zh": "所选周期从 {start} 开始，而数据截止于 {end}：这些周期没有任何数据",
            "en": "The periods start on {start}, but the data ends on {end}: there is no data "
            "for them",
        },
        "workspace.data_end_note": {
            "zh": "注意：数据截止于 {end}，截止日期 {as_of} 之前的 {days} 天没有任何数据；"
            "其后的周期已略去，含数据结束日的周期标为不完整",
            "en": "Note: the data ends on {end}; the {days} days before the as-of date {as_of} "
            "have no data at all. Periods after the data are left out; the one it ends in "
            "is marked incomplete",
        },
        "workspace.no_scores_run": {
            "zh": "没有截止日期为 {as_of} 的评分（模型版本 {version}）",
            "en": "There are no scores dated {as_of} (model version {version})",
        },
        "workspace.no_alerts_run": {
            "zh": "没有截止日期为 {as_of} 的预警",
            "en": "There are no alerts dated {as_of}",
        },
        "workspace.future_as_of": {
            "zh": "截止日期 {as_of} 在未来（今天是 {today}）：不能为尚未发生的日子写入评分、预警或决定",
            "en": "The as-of date {as_of} is in the future (today is {today}): scores, alerts and "
            "decisions are never written for days that have not happened",
        },
    }
)


@dataclass(frozen=True)
class AsOf:
    """The as-of date of a command and where the workspace's data ends."""

    day: dt.date
    data_end: dt.date | None

    @property
    def past_data(self) -> bool:
        """Whether days before ``day`` lie after the data (the day after it is the usual
        as-of: figures as of the end of the data)."""
        return self.data_end is not None and self.day > self.data_end + dt.timedelta(days=1)

    def note(self, lang: Lang | str = "en") -> str | None:
        """Says so when the as-of date is past the data (None otherwise)."""
        if not self.past_data or self.data_end is None:
            return None
        days = (self.day - self.data_end).days - 1
        return t("workspace.data_end_note", lang, end=self.data_end.isoformat(),
                 as_of=self.day.isoformat(), days=days)  # fmt: skip


@dataclass(frozen=True)
class TableCount:
    table: str
    rows: int


class Workspace:
    """A folder with ``keepwise.toml`` and (by default) the DuckDB file ``keepwise.duckdb``.

    The database is opened on first use and released by :meth:`close`, so that a CLI command
    holds the embedded file only while it works.
    """

    def __init__(self, path: Path, config: WorkspaceConfig, *, busy_timeout: float = 5.0) -> None:
        self.path = path
        self.config = config
        self.busy_timeout = busy_timeout
        self._store: Store | None = None

    # --- life cycle -----------------------------------------------------------------------

    @classmethod
    def init(
        cls, path: Path, *, db_url: str | None = None, name: str | None = None, lang: Lang = "zh"
    ) -> Workspace:
        path = Path(path)
        if (path / CONFIG_FILE).exists():
            raise ConfigError("config.exists", path=str(path))
        path.mkdir(parents=True, exist_ok=True)
        text = default_config_text(name or path.resolve().name, db_url, lang)
        (path / CONFIG_FILE).write_text(text, encoding="utf-8")
        ws = cls.open(path)
        ws.migrate()
        return ws

    @classmethod
    def open(cls, path: Path, *, busy_timeout: float = 5.0) -> Workspace:
        path = Path(path)
        return cls(path, load_config(path), busy_timeout=busy_timeout)

    @property
    def store(self) -> Store:
        if self._store is None:
            url = database_url_for(self.path, self.config.database_url)
            self._store = Store(url, busy_timeout=self.busy_timeout)
        return self._store

    def migrate(self) -> None:
        """Create or upgrade the schema and (re)seed the built-in reason taxonomy."""
        self.store.migrate()
        from sqlalchemy.dialects.postgresql import insert

        rows = [
            {"code": r.code, "label_zh": r.label_zh, "label_en": r.label_en,
             "avoidable": r.avoidable, "builtin": True}
            for r in BUILTIN_REASONS
        ]  # fmt: skip
        stmt = insert(schema.reasons).values(rows)
        stmt = stmt.on_conflict_do_update(
            index_elements=["code"],
            set_={c: stmt.excluded[c] for c in ("label_zh", "label_en", "avoidable", "builtin")},
        )
        with self.store.begin() as conn:
            conn.execute(stmt)

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- import ---------------------------------------------------------------------------

    def import_file(
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
        return import_file(
            self.store,
            kind,
            Path(path),
            today=today,
            mapping=load_mapping(mapping),
            encoding=encoding,
            delimiter=delimiter,
            rejects_dir=self.path / "rejects",
            scratch_dir=self.path / "tmp",
            lang=lang or self.config.language,
            actor=actor,
            progress=progress,
            timezone=self.config.timezone,
        )

    # --- demo company -----------------------------------------------------------------------

    #: Import order of the demo files: referenced kinds first.
    DEMO_KINDS = ("owners", "customers", "contracts", "orders", "usage", "interactions",
                  "tickets", "surveys", "leads", "spend", "status-events")  # fmt: skip

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

        frames = generate_company(n_customers=customers, seed=seed, as_of=as_of)
        files = write_company(frames, self.path / "demo-data")
        del frames  # at a million customers the frames take gigabytes the import can use
        results = []
        for kind in self.DEMO_KINDS:
            if on_kind:
                on_kind(kind)
            results.append(self.import_file(kind, files[kind], today=as_of, progress=progress))
        return results

    # --- churn risk (issue 5: keepwise.risk; docs/models.md "Churn risk") --------------------

    def _risk_option(self, name: str, default: Any) -> Any:
        """A ``[risk]`` setting of keepwise.toml (docs/models.md, "Churn risk")."""
        return self.config.section("risk").get(name, default)

    def risk_train(self, as_of: dt.date, *, horizon: int | None = None) -> risk.TrainResult:
        """Train the churn model on snapshots before ``as_of`` and store the version."""
        from keepwise import risk

        self.check_writable(as_of)
        return risk.train(
            self.store, as_of, churn=self.config.churn, created_at=clock.now(),
            horizon=horizon or self._risk_option("horizon", risk.DEFAULT_HORIZON),
            snapshots=self._risk_option("snapshots", risk.DEFAULT_SNAPSHOTS),
            cutoffs=self._risk_option("cutoffs", risk.DEFAULT_CUTOFFS),
            max_trees=self._risk_option("max_trees", None),
        )  # fmt: skip

    def risk_score(self, as_of: dt.date) -> risk.ScoreResult:
        """Score every customer kept at ``as_of`` with the latest churn model."""
        from keepwise import risk

        self.check_writable(as_of)
        cutoffs = self._risk_option("cutoffs", None)
        drivers_from = self._risk_option("drivers_from", "low")
        return risk.score(
            self.store, as_of, churn=self.config.churn, created_at=clock.now(), cutoffs=cutoffs,
            drivers_from=drivers_from,
        )  # fmt: skip

    def risk_list(
        self, *, as_of: dt.date | None = None, band: str | None = None,
        owner: str | None = None, limit: int | None = None,
    ) -> pd.DataFrame:  # fmt: skip
        """The weekly risk list: scored customers by expected value at risk."""
        from keepwise import risk

        return risk.risk_list(self.store, as_of=as_of, band=band, owner=owner, limit=limit)

    def risk_backtest(
        self, as_of: dt.date, *, horizon: int | None = None, splits: int | None = None
    ) -> risk.BacktestReport:
        """Time-split back-test of the churn model against recency and logistic baselines."""
        from keepwise import risk

        return risk.backtest(
            self.store, as_of, churn=self.config.churn,
            horizon=horizon or self._risk_option("horizon", risk.DEFAULT_HORIZON),
            snapshots=self._risk_option("snapshots", risk.DEFAULT_SNAPSHOTS),
            splits=splits or self._risk_option("splits", 2),
            cutoffs=self._risk_option("cutoffs", risk.DEFAULT_CUTOFFS),
        )  # fmt: skip

    def risk_survival(
        self, as_of: dt.date, *, by: str | None = None, times: list[float] | None = None
    ) -> risk.SurvivalView:
        """Kaplan-Meier survival of customer lifetimes (days) and Cox hazard ratios."""
        from keepwise import risk

        return risk.survival_workspace(self.store, as_of, by, times, churn=self.config.churn)

    @staticmethod
    def risk_evaluate_file(
        path: Path, label: str, id_col: str | None = None
    ) -> risk.EvaluationReport:
        """Snapshot mode: evaluate the churn model on one labelled file (no workspace)."""
        from keepwise import risk

        return risk.evaluate_file(Path(path), label, id_col)

    @staticmethod
    def risk_survival_file(
        path: Path, duration: str, event: str, *, by: str | None = None,
        times: list[float] | None = None, id_col: str | None = None,
    ) -> risk.SurvivalView:  # fmt: skip
        """Snapshot mode: the survival view of one file."""
        from keepwise import risk

        return risk.survival_file(
            Path(path), duration, event, by, times or risk.DEFAULT_TIMES, id_col
        )

    # --- end of churn risk ------------------------------------------------------------------

    # --- customer value (issue 4: keepwise.value; docs/models.md "Customer value") ----------

    def value_settings(self) -> value.ValueSettings:
        """The ``[value]`` section of keepwise.toml (docs/configuration.md)."""
        from keepwise.value import parse_value_settings

        return parse_value_settings(self.config.section("value"))

    def value_rfm(self, as_of: dt.date) -> value.RfmReport:
        """RFM summary, quintile scores and segments of the customers who bought before as_of."""
        from keepwise.value import service

        return service.rfm_report(self.store, as_of, self.value_settings())

    def value_tiers(self, as_of: dt.date) -> value.TierReport:
        """Value tiers (high / mid / low / no value), revenue and profit per tier, Pareto share."""
        from keepwise.value import service

        return service.tier_report(self.store, as_of, self.value_settings(), self.config.churn)

    def value_clv(self, as_of: dt.date) -> value.ClvReport:
        """BG/NBD + Gamma-Gamma fit, P(alive), expected purchases and predicted CLV."""
        from keepwise.value import service

        return service.clv_report(self.store, as_of, self.value_settings(), self.config.churn)

    def value_score(self, as_of: dt.date) -> tuple[value.ValueScores, int]:
        """Compute every value score and store it (re-running the same as_of replaces)."""
        from keepwise.value import service

        self.check_writable(as_of)
        return service.score(
            self.store, as_of, self.value_settings(), self.config.churn, clock.now()
        )

    def value_no_value(self, as_of: dt.date) -> pd.DataFrame:
        """No-value customers: criteria met, the numbers, recommended treatment."""
        from keepwise.value import service

        return service.no_value(self.store, as_of, self.value_settings(), self.config.churn)

    def value_decide(
        self, customer_id: str, *, as_of: dt.date, actor: str, note: str | None = None,
        treatment: str = "end_relationship", at: dt.datetime | None = None, force: bool = False,
    ) -> int:  # fmt: skip
        """Let a no-value customer go: a void event with reason no_value; returns its id. The
        customer must meet the no-value criteria as of ``as_of``, unless ``force`` with a
        note."""
        from keepwise.value import service

        self.check_writable(as_of)
        return service.decide(
            self.store, customer_id, as_of=as_of, settings=self.value_settings(),
            churn=self.config.churn, at=at or clock.now(), actor=actor, note=note,
            treatment=treatment, force=force,
        )  # fmt: skip

    def value_revert(
        self, customer_id: str, *, actor: str, note: str | None = None,
        at: dt.datetime | None = None,
    ) -> int:  # fmt: skip
        """Revert a no-value void: an event back to active with the note; returns its id."""
        from keepwise.value import service

        return service.revert(self.store, customer_id, at=at or clock.now(), actor=actor,
                              note=note)  # fmt: skip

    def value_calibration(
        self, calibration_end: dt.date, observation_end: dt.date, *, unit: str = "weeks",
        max_frequency: int = 7,
    ) -> CalibrationCheck:  # fmt: skip
        """BG/NBD fitted on a calibration period, checked against the holdout period."""
        from keepwise.value.calibration import calibration_check

        return calibration_check(
            self.store, calibration_end, observation_end, unit=unit, max_frequency=max_frequency
        )  # type: ignore[arg-type]

    # --- end of customer value ---------------------------------------------------------------

    # --- status ---------------------------------------------------------------------------

    def table_counts(self) -> list[TableCount]:
        with self.store.begin() as conn:
            return [
                TableCount(
                    name, conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
                )
                for name, t in schema.metadata.tables.items()
            ]

    def recent_imports(self, limit: int = 10) -> list[dict[str, Any]]:
        b = schema.import_batches
        with self.store.begin() as conn:
            rows = conn.execute(sa.select(b).order_by(b.c.id.desc()).limit(limit)).mappings()
            return [dict(r) for r in rows]

    def headline(self, as_of: dt.date) -> Headline:
        """Customers by status at ``as_of``; the last 12 months' orders, revenue and churn, from
        the KPI engine under the workspace's churn definition (= ``metrics --grain year
        --trailing``)."""
        from keepwise.metrics.headline import headline

        return headline(self._metric_tables(), self.config.churn, as_of)

    @property
    def backend(self) -> str:
        return self.store.dialect

    # --- runs made by mistake ------------------------------------------------------------------

    def delete_score_run(
        self, kind: str, as_of: dt.date, *, actor: str, model_version: str | None = None
    ) -> int:
        """Delete the scores of one run (``kind`` churn or value) dated ``as_of``; the
        deletion is audited. An error when there is none (a typo in the date, say)."""
        from keepwise.store import runs

        with self.store.begin() as conn:
            count = runs.delete_scores(conn, kind=kind, as_of=as_of, model_version=model_version,
                                       actor=actor, at=clock.now())  # fmt: skip
        if not count:
            raise NotFoundError("workspace.no_scores_run", as_of=as_of.isoformat(),
                                version=model_version or "*")  # fmt: skip
        return count

    def delete_alert_run(self, as_of: dt.date, *, actor: str) -> tuple[int, int]:
        """Delete the still-open alerts opened by the rule run dated ``as_of`` (acknowledged
        and closed ones are kept): (deleted, kept); audited."""
        from keepwise.store import runs

        with self.store.begin() as conn:
            deleted, kept = runs.delete_alerts(conn, as_of=as_of, actor=actor, at=clock.now())
        if not deleted and not kept:
            raise NotFoundError("workspace.no_alerts_run", as_of=as_of.isoformat())
        return deleted, kept

    # --- time: where the data ends, the default as-of, no results written for the future ---

    def data_end(self) -> dt.date | None:
        """The last day with imported activity (orders, product use, follow-ups, tickets,
        surveys, imported status events; None for an empty workspace). A user's own action
        (a void, a reassignment) is not data: it must not move the default as-of."""
        with self.store.begin() as conn:
            return activity_end(conn)

    def default_as_of(self) -> dt.date:
        """The day after the data ends, or today if that is earlier (or nothing is imported):
        figures "as of the latest data", not of a date nothing is known about."""
        return self.as_of(None).day

    def as_of(self, requested: dt.date | None) -> AsOf:
        """The as-of date of a command: the one requested, by default the day after the data
        ends (today if that is earlier, or if nothing is imported), with where the data ends
        (:meth:`AsOf.note` says so when the date is past it)."""
        end = self.data_end()
        if requested is None:
            today = clock.today()
            requested_day = today if end is None else min(today, end + dt.timedelta(days=1))
            return AsOf(requested_day, end)
        return AsOf(requested, end)

    @staticmethod
    def check_writable(as_of: dt.date) -> dt.date:
        """Refuse to write results (scores, models, alerts, decisions) dated after today: they
        would be judged on days that have not happened and then stand as the latest results."""
        today = clock.today()
        if as_of > today:
            raise InputError("workspace.future_as_of", as_of=as_of.isoformat(),
                             today=today.isoformat())  # fmt: skip
        return as_of

    def _known_range(
        self, grain: str, as_of: dt.date, start: dt.date | None, end: dt.date | None,
        trailing: bool = False,
    ) -> tuple[dt.date | None, dt.date | None]:  # fmt: skip
        """``start, end`` of a report without the periods that start after the data ends
        (they would show only its absence: no revenue, 0 % churn); an error when every
        period does."""
        from keepwise.metrics import periods as pr

        data_end = self.data_end()
        if data_end is None:
            return start, end
        if trailing:
            items = [pr.trailing(grain, as_of)]
        else:
            items = pr.periods(grain, as_of=as_of, start=start, end=end)
        known = [p for p in items if p.start <= data_end]
        if not known:
            raise InputError("workspace.after_data", start=items[0].start.isoformat(),
                             end=data_end.isoformat())  # fmt: skip
        return (start, known[-1].end) if len(known) < len(items) else (start, end)

    # --- early warning: rules and alerts (预警规则与预警; docs/alerts.md) -----------------------

    def alert_rules(self) -> list[Rule]:
        """The workspace's rules: ``rules.yaml`` when present, else the built-in defaults."""
        from keepwise.rules import load_rules

        return load_rules(self.path)

    def alerts_init_rules(self, *, force: bool = False) -> Path:
        """Write the built-in rules to ``rules.yaml`` for editing; never overwrite unless
        ``force``."""
        from keepwise.rules import write_default_rules

        return write_default_rules(self.path, force=force)

    def alerts_run(self, as_of: dt.date) -> RunResult:
        """Evaluate the enabled rules as of ``as_of`` and open the new alerts (deduplicated)."""
        from keepwise._core.clock import now
        from keepwise.rules import evaluate, load_rules, record

        self.check_writable(as_of)
        rules = load_rules(self.path)
        hits = evaluate(self.store, rules, as_of, churn=self.config.churn)
        with self.store.begin() as conn:
            return record(conn, rules, hits, as_of, at=now())

    def alerts_list(
        self,
        *,
        status: str | None = None,
        rule: str | None = None,
        severity: str | None = None,
        owner: str | None = None,
        customer: str | None = None,
        limit: int | None = None,
    ) -> list[Alert]:
        from keepwise.rules import list_alerts

        with self.store.begin() as conn:
            return list_alerts(conn, status=status, rule=rule, severity=severity, owner=owner,
                               customer=customer, limit=limit)  # fmt: skip

    def alert_ack(self, alert_id: int, *, actor: str, note: str | None = None) -> Alert:
        from keepwise._core.clock import now
        from keepwise.rules import acknowledge

        with self.store.begin() as conn:
            return acknowledge(conn, alert_id, actor=actor, note=note, at=now())

    def alert_close(self, alert_id: int, *, actor: str, note: str) -> Alert:
        from keepwise._core.clock import now
        from keepwise.rules import close

        with self.store.begin() as conn:
            return close(conn, alert_id, actor=actor, note=note, at=now())

    def alert_history(self, alert_id: int) -> list[dict[str, Any]]:
        from keepwise.rules import history

        with self.store.begin() as conn:
            return history(conn, alert_id)

    # --- end of early warning ----------------------------------------------------------------

    # --- KPIs (issue 3: keepwise.metrics; docs/metrics.md) ----------------------------------

    def _metric_tables(self) -> metrics.Tables:
        from keepwise import metrics

        return metrics.Tables.from_backend(self.store.ibis())

    @staticmethod
    def metric_catalogue(lang: Lang | str = "en") -> list[dict[str, str]]:
        """Every KPI: id, names in both languages and definition."""
        from keepwise import metrics

        return metrics.catalogue_rows(lang)

    def metrics(
        self, metric_ids: list[str] | None = None, *, as_of: dt.date, grain: str = "month",
        start: dt.date | None = None, end: dt.date | None = None, by: str | None = None,
        winback_days: int | None = None,
    ) -> pd.DataFrame:  # fmt: skip
        """KPIs per period (and dimension value): metric, period_start, period_end, dimension,
        value, numerator, denominator, complete. The churn definition is ``[churn]`` of
        keepwise.toml."""
        return self.metrics_cuts(metric_ids, cuts=[by], as_of=as_of, grain=grain, start=start,
                                 end=end, winback_days=winback_days)[by]  # fmt: skip

    def metrics_cuts(
        self, metric_ids: list[str] | None = None, *, cuts: list[str | None], as_of: dt.date,
        grain: str = "month", start: dt.date | None = None, end: dt.date | None = None,
        winback_days: int | None = None, trailing: bool = False,
    ) -> dict[str | None, pd.DataFrame]:  # fmt: skip
        """:meth:`metrics` for several cuts (None: uncut) in one pass per dimension: the uncut
        totals are summed from the first cut's sums; with several dimensions, the passes after
        the first reuse its customer base, timeline and customer facts. ``trailing``: one
        window, the ``grain`` before ``as_of``. Each row says whether its period is
        ``complete`` (ends on or before ``as_of``)."""
        import pandas as pd

        from keepwise import metrics

        start, end = self._known_range(grain, as_of, start, end, trailing)
        several = len({c for c in cuts if c is not None}) > 1
        tables = metrics.Tables.from_backend(self.store.ibis(), keep=several)
        try:
            results = metrics.compute_cuts(
                tables, metric_ids, cuts=cuts, as_of=as_of, grain=grain, start=start, end=end,
                churn=self.config.churn,
                winback_days=winback_days or metrics.DEFAULT_WINBACK_DAYS, trailing=trailing,
            )  # fmt: skip
        finally:
            tables.release()
        known_until = self._known_until(as_of)
        for df in results.values():
            df["complete"] = pd.to_datetime(df["period_end"]).dt.date <= known_until
        return results

    def _known_until(self, as_of: dt.date) -> dt.date:
        """The end of what is known at ``as_of``: as_of itself, or the day after the data
        ends if that is earlier (a period ending later is incomplete)."""
        end = self.data_end()
        return as_of if end is None else min(as_of, end + dt.timedelta(days=1))

    def drilldown(
        self, metric: str, period: dt.date, *, as_of: dt.date, grain: str = "month",
        by: str | None = None, value: str | None = None, winback_days: int | None = None,
    ) -> pd.DataFrame:  # fmt: skip
        """The customers in the numerator and denominator of one KPI value."""
        from keepwise import metrics

        return metrics.drilldown(
            self._metric_tables(), metric, period, as_of=as_of, grain=grain, by=by, value=value,
            churn=self.config.churn,
            winback_days=winback_days or metrics.DEFAULT_WINBACK_DAYS,
        )  # fmt: skip

    def cohorts(
        self, *, as_of: dt.date, grain: str = "month", start: dt.date | None = None,
        end: dt.date | None = None, by: str | None = None,
    ) -> pd.DataFrame:  # fmt: skip
        """Acquisition-cohort retention, long form: cohort, age, dimension, customers,
        retained, retention (curves: ``keepwise.metrics.cohort_curves``). Ages whose moment
        is after the data ends are not shown (nothing is known of them)."""
        from keepwise import metrics

        as_of = self._known_until(as_of)
        return metrics.cohort_table(self._metric_tables(), as_of=as_of, grain=grain,
                                    start=start, end=end, by=by, churn=self.config.churn)  # fmt: skip

    def cohort_curves(self, cohorts: pd.DataFrame) -> pd.DataFrame:
        from keepwise import metrics

        return metrics.cohort_curves(cohorts)

    def survival_by_segment(
        self, *, as_of: dt.date, by: str | None = "segment", alpha: float = 0.05
    ) -> pd.DataFrame:
        """Kaplan-Meier retention curves with confidence bands per segment (or ``by``)."""
        from keepwise import metrics

        return metrics.survival_by_segment(self._metric_tables(), as_of=as_of, by=by,
                                           churn=self.config.churn, alpha=alpha)  # fmt: skip

    def reasons(
        self, *, as_of: dt.date, grain: str = "month", start: dt.date | None = None,
        end: dt.date | None = None, by: str | None = None, avoidable: bool = False,
    ) -> pd.DataFrame:  # fmt: skip
        """Churn and void counts and lost revenue by reason per period; with ``avoidable``,
        rolled up to avoidable / unavoidable / unknown."""
        from keepwise import metrics

        start, end = self._known_range(grain, as_of, start, end)
        df = metrics.reasons(self._metric_tables(), as_of=as_of, grain=grain, start=start,
                             end=end, by=by, churn=self.config.churn)  # fmt: skip
        return metrics.avoidability(df) if avoidable else df

    def impact(
        self, *, as_of: dt.date, grain: str = "month", start: dt.date | None = None,
        end: dt.date | None = None, by: str | None = None,
    ) -> pd.DataFrame:  # fmt: skip
        """Revenue lost, CLV lost, acquisition cost not paid back and revenue at risk."""
        from keepwise import metrics

        start, end = self._known_range(grain, as_of, start, end)
        return metrics.impact(self._metric_tables(), as_of=as_of, grain=grain, start=start,
                              end=end, by=by, churn=self.config.churn)  # fmt: skip

    # --- end of KPIs ---------------------------------------------------------------------------
