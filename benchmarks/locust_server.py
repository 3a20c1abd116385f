"""The users of benchmarks/server_load.py: each has its own session (logged in before the run:
an argon2 check costs about half a second of CPU, and 50 of them would fill the first seconds
of the measurement) and opens the overview, the risk list, a KPI drill-down and a customer 360
(each as the dashboard's HTML page and as its JSON twin) and a static file, in random order, pausing ``KW_WAIT`` seconds on average between two (0: as fast
as the server answers)."""

from __future__ import annotations

import itertools
import os
import random
from pathlib import Path

from locust import FastHttpUser, between, task

CUSTOMERS = Path(os.environ["KW_CUSTOMERS"]).read_text(encoding="utf-8").split()
WAIT = float(os.environ.get("KW_WAIT", "0"))
#: One session cookie per user (``kw_session=…``), handed out in turn.
SESSIONS = itertools.cycle(Path(os.environ["KW_SESSIONS"]).read_text(encoding="utf-8").split())


class Reader(FastHttpUser):
    wait_time = between(WAIT * 0.5, WAIT * 1.5)

    def on_start(self) -> None:
        # The session cookie is Secure: a browser sends it to http://127.0.0.1 (a secure
        # context), locust's client does not, so it is sent by hand.
        self.cookie = {"Cookie": next(SESSIONS)}

    def _get(self, path: str, name: str) -> None:
        self.client.get(path, name=name, headers=self.cookie)

    @task
    def overview(self) -> None:
        self._get("/api/overview", "overview")

    @task
    def risk_list(self) -> None:
        self._get("/api/risk?limit=50", "risk list")

    @task
    def drilldown(self) -> None:
        self._get("/api/kpis/churn_rate/drilldown?period=2026-09-01&limit=50", "drill-down")

    @task
    def customer(self) -> None:
        self._get(f"/api/customers/{random.choice(CUSTOMERS)}", "customer 360")

    # The dashboard's pages themselves (HTML, rendered from the same stored results).
    @task
    def overview_page(self) -> None:
        self._get("/", "overview page")

    @task
    def risk_page(self) -> None:
        self._get("/risk", "risk page")

    @task
    def drilldown_page(self) -> None:
        self._get("/kpis/churn_rate?period=2026-09-01", "drill-down page")

    @task
    def customer_page(self) -> None:
        self._get(f"/customers/{random.choice(CUSTOMERS)}", "customer page")

    @task
    def static(self) -> None:
        self._get("/api/docs/static/favicon.png", "static file")
