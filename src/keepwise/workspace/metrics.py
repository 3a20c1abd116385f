"""``ws.metrics``: the KPI catalogue and engine (docs/metrics.md) under the workspace's churn
definition — KPIs by period and cut, drill-down, cohorts, survival, reasons, impact and the
headline figures — with the periods after the data left out."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from keepwise._core.errors import InputError
from keepwise._core.i18n import Lang, register
from keepwise.workspace.core import Service

if TYPE_CHECKING:
    import pandas as pd

    from keepwise.metrics.headline import Headline

register(
    {
        "workspace.after_data": {
            "zh": "所选周期从 {start} 开始，而数据截止于 {end}：这些周期没有任何数据",
            "en": "The periods start on {start}, but the data ends on {end}: there is no data "
            "for them",
        },
    }
)


class MetricsService(Service):
    @staticmethod
    def catalogue(lang: Lang | str = "en") -> list[dict[str, str]]:
        """Every KPI: id, names in both languages and definition."""
        from keepwise import metrics

        return metrics.catalogue_rows(lang)

    def compute(
        self, metric_ids: list[str] | None = None, *, as_of: dt.date, grain: str = "month",
        start: dt.date | None = None, end: dt.date | None = None, by: str | None = None,
        winback_days: int | None = None, trailing: bool = False,
    ) -> pd.DataFrame:  # fmt: skip
        """KPIs per period (and dimension value): metric, period_start, period_end, dimension,
        value, numerator, denominator, complete. The churn definition is ``[churn]`` of
        keepwise.toml."""
        return self.cuts(metric_ids, cuts=[by], as_of=as_of, grain=grain, start=start, end=end,
                         winback_days=winback_days, trailing=trailing)[by]  # fmt: skip

    def cuts(
        self, metric_ids: list[str] | None = None, *, cuts: list[str | None], as_of: dt.date,
        grain: str = "month", start: dt.date | None = None, end: dt.date | None = None,
        winback_days: int | None = None, trailing: bool = False,
    ) -> dict[str | None, pd.DataFrame]:  # fmt: skip
        """:meth:`compute` for several cuts (None: uncut) in one pass per dimension: the uncut
        totals are summed from the first cut's sums; with several dimensions, the passes after
        the first reuse its customer base, timeline and customer facts. ``trailing``: one
        window, the ``grain`` before ``as_of``. Each row says whether its period is
        ``complete`` (ends by ``as_of`` and by the day after the data ends)."""
        import pandas as pd

        from keepwise import metrics

        start, end = self._known_range(grain, as_of, start, end, trailing)
        several = len({c for c in cuts if c is not None}) > 1
        tables = self.ws.tables(keep=several)
        try:
            results = metrics.compute_cuts(
                tables, metric_ids, cuts=cuts, as_of=as_of, grain=grain, start=start, end=end,
                churn=self.ws.config.churn, winback_days=self._winback(winback_days),
                trailing=trailing,
            )  # fmt: skip
        finally:
            if not self.ws.in_session:  # (a session's tables serve its later calls too)
                tables.release()
        known_until = self._known_until(as_of)
        for df in results.values():
            df["complete"] = pd.to_datetime(df["period_end"]).dt.date <= known_until
        return results

    def drilldown(
        self, metric: str, period: dt.date, *, as_of: dt.date, grain: str = "month",
        by: str | None = None, value: str | None = None, winback_days: int | None = None,
    ) -> pd.DataFrame:  # fmt: skip
        """The customers in the numerator and denominator of one KPI value."""
        from keepwise import metrics

        return metrics.drilldown(
            self.ws.tables(), metric, period, as_of=as_of, grain=grain, by=by, value=value,
            churn=self.ws.config.churn, winback_days=self._winback(winback_days),
        )  # fmt: skip

    def cohorts(
        self, *, as_of: dt.date, grain: str = "month", start: dt.date | None = None,
        end: dt.date | None = None, by: str | None = None,
    ) -> pd.DataFrame:  # fmt: skip
        """Acquisition-cohort retention, long form: cohort, age, dimension, customers,
        retained, retention (curves: :meth:`cohort_curves`). Ages whose moment is after the
        data ends are not shown (nothing is known of them)."""
        from keepwise import metrics

        return metrics.cohort_table(
            self.ws.tables(), as_of=self._known_until(as_of), grain=grain, start=start, end=end,
            by=by, churn=self.ws.config.churn,
        )  # fmt: skip

    @staticmethod
    def cohort_curves(cohorts: pd.DataFrame) -> pd.DataFrame:
        from keepwise import metrics

        return metrics.cohort_curves(cohorts)

    def survival(
        self, *, as_of: dt.date, by: str | None = "segment", alpha: float = 0.05
    ) -> pd.DataFrame:
        """Kaplan-Meier retention curves with confidence bands per segment (or ``by``)."""
        from keepwise import metrics

        return metrics.survival_by_segment(self.ws.tables(), as_of=as_of, by=by,
                                           churn=self.ws.config.churn, alpha=alpha)  # fmt: skip

    def reasons(
        self, *, as_of: dt.date, grain: str = "month", start: dt.date | None = None,
        end: dt.date | None = None, by: str | None = None, avoidable: bool = False,
    ) -> pd.DataFrame:  # fmt: skip
        """Churn and void counts and lost revenue by reason per period; with ``avoidable``,
        rolled up to avoidable / unavoidable / unknown."""
        from keepwise import metrics

        start, end = self._known_range(grain, as_of, start, end)
        df = metrics.reasons(self.ws.tables(), as_of=as_of, grain=grain, start=start, end=end,
                             by=by, churn=self.ws.config.churn)  # fmt: skip
        return metrics.avoidability(df) if avoidable else df

    def impact(
        self, *, as_of: dt.date, grain: str = "month", start: dt.date | None = None,
        end: dt.date | None = None, by: str | None = None,
        lost_to: tuple[str, ...] | None = None,
    ) -> pd.DataFrame:  # fmt: skip
        """Revenue lost, CLV lost, acquisition cost not paid back and revenue at risk;
        ``lost_to``: of the losses to these statuses only (voided, churned)."""
        from keepwise import metrics

        start, end = self._known_range(grain, as_of, start, end)
        return metrics.impact(self.ws.tables(), as_of=as_of, grain=grain, start=start, end=end,
                              by=by, churn=self.ws.config.churn, lost_to=lost_to)  # fmt: skip

    def headline(self, as_of: dt.date) -> Headline:
        """Customers by status at ``as_of``; the last 12 months' orders, revenue and churn, from
        the KPI engine under the workspace's churn definition (= ``metrics --grain year
        --trailing``)."""
        from keepwise.metrics.headline import headline

        return headline(self.ws.tables(), self.ws.config.churn, as_of)

    @staticmethod
    def _winback(days: int | None) -> int:
        from keepwise import metrics

        return days or metrics.DEFAULT_WINBACK_DAYS

    def _known_until(self, as_of: dt.date) -> dt.date:
        """The end of what is known at ``as_of``: as_of itself, or the day after the data
        ends if that is earlier (a period ending later is incomplete)."""
        end = self.ws.data_end()
        return as_of if end is None else min(as_of, end + dt.timedelta(days=1))

    def _known_range(
        self, grain: str, as_of: dt.date, start: dt.date | None, end: dt.date | None,
        trailing: bool = False,
    ) -> tuple[dt.date | None, dt.date | None]:  # fmt: skip
        """``start, end`` of a report without the periods that start after the data ends
        (they would show only its absence: no revenue, 0 % churn); an error when every
        period does."""
        from keepwise.metrics import periods as pr

        data_end = self.ws.data_end()
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
