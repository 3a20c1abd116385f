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
    check_keys,
    default_config_text,
    load_config,
    table,
)
from keepwise._core.errors import ConfigError
from keepwise._core.i18n import Lang
from keepwise._core.taxonomy import BUILTIN_REASONS
from keepwise.lifecycle.summary import Headline, headline
from keepwise.store import Store, database_url_for, schema

if TYPE_CHECKING:  # the features are imported where used: a command pays only for its own
    import pandas as pd

    from keepwise import metrics, risk, value
    from keepwise.ingest import ImportResult, ProgressFn
    from keepwise.rules import Alert, Rule, RunResult
    from keepwise.value.calibration import CalibrationCheck

__all__ = ["Headline", "TableCount", "Workspace"]


@dataclass(frozen=True)
class TableCount:
    table: str
    rows: int


def _check_feature_sections(config: WorkspaceConfig) -> None:
    """The feature sections of keepwise.toml are checked when a workspace opens (the core ones
    when it is read), so that a typo is reported by every command, not ignored."""
    from keepwise.value.settings import parse_value_settings

    check_keys(table(config.sections, "risk", "risk"), "risk", Workspace.RISK_KEYS)
    parse_value_settings(table(config.sections, "value", "value"))


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
        config = load_config(path)
        _check_feature_sections(config)
        return cls(path, config, busy_timeout=busy_timeout)

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
        from keepwise.ingest import import_file, load_mapping

        return import_file(
            self.store,
            kind,
            Path(path),
            today=today,
            mapping=load_mapping(mapping),
            encoding=encoding,
            delimiter=delimiter,
            rejects_dir=self.path / "rejects",
            lang=lang or self.config.language,
            actor=actor,
            progress=progress,
        )

    # --- demo company -----------------------------------------------------------------------

    #: Import order of the demo files: referenced kinds first.
    DEMO_KINDS = ("owners", "customers", "orders", "usage", "interactions", "tickets",
                  "surveys", "leads", "spend", "status-events")  # fmt: skip

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

    #: The settings of ``[risk]`` that :meth:`_risk_option` reads.
    RISK_KEYS = ("horizon", "snapshots", "cutoffs", "splits", "drivers_from", "max_trees")

    def _risk_option(self, name: str, default: Any) -> Any:
        """A ``[risk]`` setting of keepwise.toml (docs/models.md, "Churn risk")."""
        return self.config.section("risk").get(name, default)

    def risk_train(self, as_of: dt.date, *, horizon: int | None = None) -> risk.TrainResult:
        """Train the churn model on snapshots before ``as_of`` and store the version."""
        from keepwise import risk

        return risk.train(
            self.store, as_of, created_at=clock.now(),
            horizon=horizon or self._risk_option("horizon", risk.DEFAULT_HORIZON),
            snapshots=self._risk_option("snapshots", risk.DEFAULT_SNAPSHOTS),
            cutoffs=self._risk_option("cutoffs", risk.DEFAULT_CUTOFFS),
            max_trees=self._risk_option("max_trees", None),
        )  # fmt: skip

    def risk_score(self, as_of: dt.date) -> risk.ScoreResult:
        """Score every customer active at ``as_of`` with the latest churn model."""
        from keepwise import risk

        cutoffs = self._risk_option("cutoffs", None)
        drivers_from = self._risk_option("drivers_from", "low")
        return risk.score(
            self.store, as_of, created_at=clock.now(), cutoffs=cutoffs, drivers_from=drivers_from
        )

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
            self.store, as_of,
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

        return risk.survival_workspace(self.store, as_of, by, times)

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

        return service.tier_report(self.store, as_of, self.value_settings())

    def value_clv(self, as_of: dt.date) -> value.ClvReport:
        """BG/NBD + Gamma-Gamma fit, P(alive), expected purchases and predicted CLV."""
        from keepwise.value import service

        return service.clv_report(self.store, as_of, self.value_settings())

    def value_score(self, as_of: dt.date) -> tuple[value.ValueScores, int]:
        """Compute every value score and store it (re-running the same as_of replaces)."""
        from keepwise.value import service

        return service.score(self.store, as_of, self.value_settings(), clock.now())

    def value_no_value(self, as_of: dt.date) -> pd.DataFrame:
        """No-value customers: criteria met, the numbers, recommended treatment."""
        from keepwise.value import service

        return service.no_value(self.store, as_of, self.value_settings())

    def value_decide(
        self, customer_id: str, *, actor: str, note: str | None = None,
        treatment: str = "end_relationship", at: dt.datetime | None = None,
    ) -> int:  # fmt: skip
        """Let a no-value customer go: a void event with reason no_value; returns its id."""
        from keepwise.value import service

        return service.decide(self.store, customer_id, at=at or clock.now(), actor=actor,
                              note=note, treatment=treatment)  # fmt: skip

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
            # The limit written into the SQL: binding a parameter makes DuckDB import pandas,
            # half of `keepwise status`'s start-up.
            last = sa.literal(int(limit), literal_execute=True)
            rows = conn.execute(sa.select(b).order_by(b.c.id.desc()).limit(last)).mappings()
            return [dict(r) for r in rows]

    def headline(self, as_of: dt.date) -> Headline:
        """Customers by status, the last 12 months' orders, revenue and churn."""
        return headline(self.store, as_of)

    @property
    def backend(self) -> str:
        return self.store.dialect

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

        rules = load_rules(self.path)
        hits = evaluate(self.store, rules, as_of)
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
        value, numerator, denominator. The churn definition is ``[churn]`` of keepwise.toml."""
        return self.metrics_cuts(metric_ids, cuts=[by], as_of=as_of, grain=grain, start=start,
                                 end=end, winback_days=winback_days)[by]  # fmt: skip

    def metrics_cuts(
        self, metric_ids: list[str] | None = None, *, cuts: list[str | None], as_of: dt.date,
        grain: str = "month", start: dt.date | None = None, end: dt.date | None = None,
        winback_days: int | None = None,
    ) -> dict[str | None, pd.DataFrame]:  # fmt: skip
        """:meth:`metrics` for several cuts (None: uncut) in one pass per dimension: the uncut
        totals are summed from the first cut's sums; with several dimensions, the passes after
        the first reuse its customer base, timeline and customer facts."""
        from keepwise import metrics

        several = len({c for c in cuts if c is not None}) > 1
        tables = metrics.Tables.from_backend(self.store.ibis(), keep=several)
        try:
            return metrics.compute_cuts(
                tables, metric_ids, cuts=cuts, as_of=as_of, grain=grain, start=start, end=end,
                churn=self.config.churn,
                winback_days=winback_days or metrics.DEFAULT_WINBACK_DAYS,
            )  # fmt: skip
        finally:
            tables.release()

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
        retained, retention (curves: ``keepwise.metrics.cohort_curves``)."""
        from keepwise import metrics

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

        df = metrics.reasons(self._metric_tables(), as_of=as_of, grain=grain, start=start,
                             end=end, by=by, churn=self.config.churn)  # fmt: skip
        return metrics.avoidability(df) if avoidable else df

    def impact(
        self, *, as_of: dt.date, grain: str = "month", start: dt.date | None = None,
        end: dt.date | None = None, by: str | None = None,
    ) -> pd.DataFrame:  # fmt: skip
        """Revenue lost, CLV lost, acquisition cost not paid back and revenue at risk."""
        from keepwise import metrics

        return metrics.impact(self._metric_tables(), as_of=as_of, grain=grain, start=start,
                              end=end, by=by, churn=self.config.churn)  # fmt: skip

    # --- end of KPIs ---------------------------------------------------------------------------
