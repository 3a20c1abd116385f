"""The KPI engine (DESIGN.md's catalogue) as Ibis expressions that run on DuckDB, PostgreSQL
and Spark: KPIs by period and dimension, drill-down, cohorts, survival, reasons and impact."""

from keepwise.metrics.catalogue import CATALOGUE, KPIS, Kpi, catalogue_rows, get_kpis
from keepwise.metrics.cohorts import (
    cohort_curves,
    cohort_table,
    pivot_cohorts,
    survival_by_segment,
)
from keepwise.metrics.context import DEFAULT_WINBACK_DAYS, Context
from keepwise.metrics.drilldown import DRILL_COLUMNS, drilldown
from keepwise.metrics.kpis import RESULT_COLUMNS, compute, compute_cuts
from keepwise.metrics.periods import GRAINS, Grain, Period
from keepwise.metrics.reasons import avoidability, impact, reasons
from keepwise.metrics.tables import DIMENSIONS, Tables

__all__ = [
    "CATALOGUE",
    "DEFAULT_WINBACK_DAYS",
    "DIMENSIONS",
    "DRILL_COLUMNS",
    "GRAINS",
    "KPIS",
    "RESULT_COLUMNS",
    "Context",
    "Grain",
    "Kpi",
    "Period",
    "Tables",
    "avoidability",
    "catalogue_rows",
    "cohort_curves",
    "cohort_table",
    "compute",
    "compute_cuts",
    "drilldown",
    "get_kpis",
    "impact",
    "pivot_cohorts",
    "reasons",
    "survival_by_segment",
]
