"""``ws.risk``: the churn model of the workspace (docs/models.md, "Churn risk") — train, score,
the risk list, the back-test and survival, under the workspace's churn definition and the
``[risk]`` settings; snapshot mode on a single file needs no workspace."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from keepwise._core import clock
from keepwise.workspace.core import Service

if TYPE_CHECKING:
    import pandas as pd

    from keepwise import risk

#: The settings of ``[risk]`` (checked when a workspace opens).
RISK_KEYS = ("horizon", "snapshots", "cutoffs", "splits", "drivers_from", "max_trees")


class RiskService(Service):
    def _option(self, name: str, default: Any) -> Any:
        return self.option("risk", name, default)

    def train(self, as_of: dt.date, *, horizon: int | None = None) -> risk.TrainResult:
        """Train the churn model on snapshots before ``as_of`` and store the version."""
        from keepwise import risk

        self.viewer.require("admin", "manager")
        self.ws.check_writable(as_of)
        return risk.train(
            self.store, as_of, churn=self.ws.config.churn, created_at=clock.now(),
            horizon=horizon or self._option("horizon", risk.DEFAULT_HORIZON),
            snapshots=self._option("snapshots", risk.DEFAULT_SNAPSHOTS),
            cutoffs=self._option("cutoffs", risk.DEFAULT_CUTOFFS),
            max_trees=self._option("max_trees", None),
        )  # fmt: skip

    def score(self, as_of: dt.date) -> risk.ScoreResult:
        """Score every customer kept at ``as_of`` with the latest churn model."""
        from keepwise import risk

        self.viewer.require("admin", "manager")
        self.ws.check_writable(as_of)
        return risk.score(
            self.store, as_of, churn=self.ws.config.churn, created_at=clock.now(),
            cutoffs=self._option("cutoffs", None),
            drivers_from=self._option("drivers_from", "low"),
        )  # fmt: skip

    def risk_list(
        self, *, as_of: dt.date | None = None, band: str | None = None,
        owner: str | None = None, limit: int | None = None, offset: int = 0,
    ) -> pd.DataFrame:  # fmt: skip
        """The weekly risk list: scored customers by expected value at risk (a rep: their
        own)."""
        from keepwise import risk

        return risk.risk_list(self.store, as_of=as_of, band=band, owner=self.scoped_owner(owner),
                              limit=limit, offset=offset)  # fmt: skip

    def risk_count(
        self, *, as_of: dt.date | None = None, band: str | None = None, owner: str | None = None
    ) -> int:
        """How many customers :meth:`risk_list` has without a limit."""
        from keepwise import risk

        return risk.risk_count(self.store, as_of=as_of, band=band,
                               owner=self.scoped_owner(owner))  # fmt: skip

    def backtest(
        self, as_of: dt.date, *, horizon: int | None = None, splits: int | None = None
    ) -> risk.BacktestReport:
        """Time-split back-test of the churn model against recency and logistic baselines
        (over every customer: managers and admins only)."""
        from keepwise import risk

        self.viewer.require("admin", "manager")
        return risk.backtest(
            self.store, as_of, churn=self.ws.config.churn,
            horizon=horizon or self._option("horizon", risk.DEFAULT_HORIZON),
            snapshots=self._option("snapshots", risk.DEFAULT_SNAPSHOTS),
            splits=splits or self._option("splits", 2),
            cutoffs=self._option("cutoffs", risk.DEFAULT_CUTOFFS),
        )  # fmt: skip

    def survival(
        self, as_of: dt.date, *, by: str | None = None, times: list[float] | None = None
    ) -> risk.SurvivalView:
        """Kaplan-Meier survival of customer lifetimes (days) and Cox hazard ratios (over
        every customer: managers and admins only)."""
        from keepwise import risk

        self.viewer.require("admin", "manager")
        return risk.survival_workspace(self.store, as_of, by, times, churn=self.ws.config.churn)

    def delete_scores(self, as_of: dt.date, *, actor: str, model_version: str | None = None) -> int:
        """Delete the churn scores of the run dated ``as_of`` (audited); an error when there
        are none (a typo in the date, say)."""
        return self.delete_score_run("churn", as_of, actor, model_version)

    @staticmethod
    def evaluate_file(path: Path, label: str, id_col: str | None = None) -> risk.EvaluationReport:
        """Snapshot mode: evaluate the churn model on one labelled file (no workspace)."""
        from keepwise import risk

        return risk.evaluate_file(Path(path), label, id_col)

    @staticmethod
    def survival_file(
        path: Path, duration: str, event: str, *, by: str | None = None,
        times: list[float] | None = None, id_col: str | None = None,
    ) -> risk.SurvivalView:  # fmt: skip
        """Snapshot mode: the survival view of one file."""
        from keepwise import risk

        return risk.survival_file(
            Path(path), duration, event, by, times or risk.DEFAULT_TIMES, id_col
        )
