"""``ws.value``: customer value (docs/models.md, "Customer value") — RFM, value tiers, predicted
CLV, the stored value scores, no-value customers and the decisions about them, under the
``[value]`` settings and the workspace's churn definition."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from keepwise._core import clock
from keepwise._core.errors import InputError
from keepwise._core.i18n import register
from keepwise.workspace.core import Service

if TYPE_CHECKING:
    import pandas as pd

    from keepwise import value
    from keepwise.value.calibration import CalibrationCheck


register(
    {
        "value.keep_not_candidate": {
            "zh": "客户 {customer_id} 当前不在无价值客户审核名单上，无需保留决定",
            "en": "Customer {customer_id} is not on the no-value review list: there is nothing "
            "to keep them from",
        },
    }
)


class ValueService(Service):
    def settings(self) -> value.ValueSettings:
        """The ``[value]`` section of keepwise.toml (docs/models.md)."""
        from keepwise.value import parse_value_settings

        return parse_value_settings(self.ws.config.section("value"))

    # Scores, tiers and quintiles are the company's (a customer's tier does not depend on who
    # looks); a rep's reports list their own customers and sum them.

    def rfm(self, as_of: dt.date) -> value.RfmReport:
        """RFM summary, quintile scores and segments of the customers who bought before as_of."""
        from keepwise.value import service
        from keepwise.value.segments import segment_summary

        report = service.rfm_report(self.store, as_of, self.settings())
        if self.viewer.owner_scope is None:
            return report
        own = self._own(report.customers)
        return replace(report, customers=own, segments=segment_summary(own))

    def tiers(self, as_of: dt.date) -> value.TierReport:
        """Value tiers (high / mid / low / no value / new), revenue and profit per tier, the
        Pareto share."""
        from keepwise.value import service
        from keepwise.value.segments import pareto_share, tier_summary

        report = service.tier_report(self.store, as_of, self.settings(), self.ws.config.churn)
        if self.viewer.owner_scope is None:
            return report
        own = self._own(report.customers)
        return replace(report, customers=own, tiers=tier_summary(own),
                       pareto_share=pareto_share(own["revenue"]))  # fmt: skip

    def clv(self, as_of: dt.date) -> value.ClvReport:
        """BG/NBD + Gamma-Gamma fit, P(alive), expected purchases and predicted CLV."""
        from keepwise.value import service

        report = service.clv_report(self.store, as_of, self.settings(), self.ws.config.churn)
        if self.viewer.owner_scope is None:
            return report
        return replace(report, customers=self._own(report.customers))

    def _own(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The rows of ``frame`` (a ``customer_id`` column) the viewer may see."""
        mask = frame["customer_id"].isin(self.own_ids())
        return frame[mask].reset_index(drop=True)

    def score(self, as_of: dt.date) -> tuple[value.ValueScores, int]:
        """Compute every value score and store it (re-running the same as_of replaces)."""
        from keepwise.value import service

        self.viewer.require("admin", "manager")
        self.ws.check_writable(as_of)
        return service.score(self.store, as_of, self.settings(), self.ws.config.churn, clock.now())

    def delete_scores(self, as_of: dt.date, *, actor: str) -> int:
        """Delete the value scores of the run dated ``as_of`` (audited)."""
        return self.delete_score_run("value", as_of, actor)

    def no_value(self, as_of: dt.date) -> pd.DataFrame:
        """No-value customers: criteria met, the numbers, recommended treatment, and
        ``review``: ``kept`` when a manager decided to keep the customer and the customer meets
        no new criterion since (``reviewed_by``, ``reviewed_at``, ``review_note``), else None
        (proposed)."""
        from keepwise.value import reviews, service

        frame = service.no_value(self.store, as_of, self.settings(), self.ws.config.churn)
        with self.store.begin() as conn:
            keeps = reviews.latest_keeps(conn)
        kept = [keeps.get(c) if reviews.still_kept(keeps.get(c), list(crit or [])) else None
                for c, crit in zip(frame["customer_id"], frame["criteria"], strict=True)]  # fmt: skip
        columns: dict[str, list[Any]] = {
            "review": ["kept" if k else None for k in kept],
            "reviewed_by": [k["actor"] if k else None for k in kept],
            "reviewed_at": [k["at"] if k else None for k in kept],
            "review_note": [k.get("note") if k else None for k in kept],
        }
        frame = frame.assign(**columns)
        return frame if self.viewer.owner_scope is None else self._own(frame)

    def keep(
        self, customer_id: str, *, as_of: dt.date, actor: str, note: str | None = None
    ) -> dict[str, Any]:
        """Reject the proposal to let a no-value customer go: the decision to keep them is
        recorded (audited, with the criteria met as of ``as_of``) and the review shows them as
        kept until they meet a new criterion (:mod:`keepwise.value.reviews`)."""
        from keepwise.value import reviews

        self.viewer.require("admin", "manager")
        self.check_customer(customer_id)
        self.ws.check_writable(as_of)
        frame = self.no_value(as_of)
        row = frame[frame["customer_id"] == customer_id]
        if row.empty:
            raise InputError("value.keep_not_candidate", customer_id=customer_id)
        criteria = [str(c) for c in (row["criteria"].iloc[0] or [])]
        with self.store.begin() as conn:
            reviews.record_keep(conn, customer_id, criteria=criteria, as_of=as_of, actor=actor,
                                note=note, at=clock.now())  # fmt: skip
        return {"customer_id": customer_id, "review": "kept", "criteria": criteria,
                "as_of": as_of, "note": note}  # fmt: skip

    def decide(
        self, customer_id: str, *, as_of: dt.date, actor: str, note: str | None = None,
        treatment: str = "end_relationship", at: dt.datetime | None = None, force: bool = False,
    ) -> int:  # fmt: skip
        """Let a no-value customer go: a void event with reason no_value; returns its id. The
        customer must meet the no-value criteria as of ``as_of``, unless ``force`` with a
        note."""
        from keepwise.value import service

        self.viewer.require("admin", "manager")
        self.check_customer(customer_id)
        self.ws.check_writable(as_of)
        return service.decide(
            self.store, customer_id, as_of=as_of, settings=self.settings(),
            churn=self.ws.config.churn, at=at or clock.now(), actor=actor, note=note,
            treatment=treatment, force=force,
        )  # fmt: skip

    def revert(
        self, customer_id: str, *, actor: str, note: str | None = None,
        at: dt.datetime | None = None,
    ) -> int:  # fmt: skip
        """Revert a no-value void: an event back to active with the note; returns its id."""
        from keepwise.value import service

        self.viewer.require("admin", "manager")
        self.check_customer(customer_id)
        return service.revert(self.store, customer_id, at=at or clock.now(), actor=actor,
                              note=note)  # fmt: skip

    def calibration(
        self, calibration_end: dt.date, observation_end: dt.date, *, unit: str = "weeks",
        max_frequency: int = 7,
    ) -> CalibrationCheck:  # fmt: skip
        """BG/NBD fitted on a calibration period, checked against the holdout period (over
        every customer: managers and admins only)."""
        from keepwise.value.calibration import calibration_check

        self.viewer.require("admin", "manager")
        return calibration_check(
            self.store, calibration_end, observation_end, unit=unit, max_frequency=max_frequency
        )  # type: ignore[arg-type]
