"""The KPI engine (DESIGN.md's catalogue) as Ibis expressions that run on DuckDB, PostgreSQL
and Spark: KPIs by period and dimension, drill-down, cohorts, survival, reasons and impact."""

from keepwise.metrics.catalogue import CATALOGUE, KPIS, Kpi, catalogue_rows, get_kpis
from keepwise.metrics.context import Context
from keepwise.metrics.kpis import RESULT_COLUMNS, compute
from keepwise.metrics.periods import GRAINS, Grain, Period
from keepwise.metrics.tables import DIMENSIONS, Tables

__all__ = [
    "CATALOGUE",
    "DIMENSIONS",
    "GRAINS",
    "KPIS",
    "RESULT_COLUMNS",
    "Context",
    "Grain",
    "Kpi",
    "Period",
    "Tables",
    "catalogue_rows",
    "compute",
    "get_kpis",
]
