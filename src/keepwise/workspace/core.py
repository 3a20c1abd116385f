"""The workspace itself: a folder with ``keepwise.toml`` and its database, the time policy every
service shares (where the data ends, the default as-of, no results written for the future),
and the services, created on first use."""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
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
from keepwise._core.errors import ConfigError, InputError, NotFoundError
from keepwise._core.i18n import Lang, register, t
from keepwise._core.taxonomy import BUILTIN_REASONS
from keepwise.store import (
    Store,
    activity_end,
    data_version,
    database_url_for,
    last_user_change,
    schema,
)
from keepwise.workspace.viewer import OPERATOR, Viewer

if TYPE_CHECKING:  # the services and features are imported where used: start-up stays quick
    from keepwise.churn import Tables
    from keepwise.workspace.alerts import AlertsService
    from keepwise.workspace.customers import CustomersService
    from keepwise.workspace.directory import DirectoryService
    from keepwise.workspace.imports import ImportsService
    from keepwise.workspace.jobs import JobsService
    from keepwise.workspace.metrics import MetricsService
    from keepwise.workspace.notify import NotifyService
    from keepwise.workspace.owners import OwnersService
    from keepwise.workspace.playbooks import PlaybooksService
    from keepwise.workspace.refresh import RefreshService
    from keepwise.workspace.reporting import ReportsService
    from keepwise.workspace.results import ResultsService
    from keepwise.workspace.risk import RiskService
    from keepwise.workspace.settings import SettingsService
    from keepwise.workspace.surveys import SurveysService
    from keepwise.workspace.tasks import TasksService
    from keepwise.workspace.users import UsersService
    from keepwise.workspace.value import ValueService

register(
    {
        "workspace.data_end_note": {
            "zh": "注意：数据截止于 {end}，截止日期 {as_of} 之前的 {days} 天没有任何数据"
            "（报表略去其后的周期，并把含数据结束日的周期标为不完整）",
            "en": "Note: the data ends on {end}; the {days} days before the as-of date {as_of} "
            "have no data (reports leave out the periods after it and mark the one it ends in "
            "incomplete)",
        },
        "workspace.no_scores_run": {
            "zh": "没有截止日期为 {as_of} 的评分（模型版本 {version}）",
            "en": "There are no scores dated {as_of} (model version {version})",
        },
        "customers.not_found": {
            "zh": "客户 {customer_id} 不存在",
            "en": "Unknown customer {customer_id}",
        },
        "workspace.future_as_of": {
            "zh": "截止日期 {as_of} 在未来（今天是 {today}）：不能为尚未发生的日子写入评分、预警或决定",
            "en": "The as-of date {as_of} is in the future (today is {today}): scores, alerts and "
            "decisions are never written for days that have not happened",
        },
    }
)


#: How far after the default as-of a user's change may lie and still move it: the day itself
#: or the next (the workspace's time zone may already be a day ahead of the data's last day).
_ACTION_SLACK = dt.timedelta(days=1)


@dataclass(frozen=True)
class AsOf:
    """The as-of date of a command and where the workspace's data ends."""

    day: dt.date
    data_end: dt.date | None
    #: The day of the latest change a user recorded (a default as-of of the day after it,
    #: tomorrow, is "as of now", not past the data).
    acted: dt.date | None = None

    @property
    def past_data(self) -> bool:
        """Whether days before ``day`` lie after the data (the day after it is the usual
        as-of: figures as of the end of the data)."""
        if self.data_end is None or self.day <= self.data_end + dt.timedelta(days=1):
            return False
        return not (self.acted is not None and self.day == self.acted + dt.timedelta(days=1)
                    and self.acted - self.data_end <= _ACTION_SLACK + dt.timedelta(days=1))  # fmt: skip

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


@dataclass
class _Shared:
    """What the views of one workspace (:meth:`Workspace.as_user`) share: the open store, and
    a memo of where the data ends per data version (read on every default as-of)."""

    store: Store | None = None
    data_end: dict[str, tuple[dt.date | None, dt.date | None]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    #: The server's short memory of the data version (:meth:`Workspace.reuse_reads`): how long
    #: (s) a read may serve again; 0 (the default): never.
    reuse_s: float = 0.0
    #: The last data version read: (version, when (monotonic), the store's write count then).
    version: tuple[str, float, int] | None = None


def _check_feature_sections(config: WorkspaceConfig) -> None:
    """The feature sections of keepwise.toml are checked when a workspace opens (the core ones
    when it is read), so that a typo is reported by every command, not ignored."""
    from keepwise.lifecycle.settings import parse_lifecycle_settings
    from keepwise.value.settings import parse_value_settings
    from keepwise.workspace.refresh import REFRESH_KEYS
    from keepwise.workspace.risk import RISK_KEYS
    from keepwise.workspace.surveys import SURVEY_KEYS
    from keepwise.workspace.users import SERVER_KEYS, check_server_settings

    check_keys(table(config.sections, "risk", "risk"), "risk", RISK_KEYS)
    server = table(config.sections, "server", "server")
    check_keys(server, "server", SERVER_KEYS)
    check_server_settings(server)
    parse_value_settings(table(config.sections, "value", "value"))
    parse_lifecycle_settings(table(config.sections, "lifecycle", "lifecycle"))
    check_keys(table(config.sections, "surveys", "surveys"), "surveys", SURVEY_KEYS)
    check_keys(table(config.sections, "refresh", "refresh"), "refresh", REFRESH_KEYS)
    if "notify" in config.sections:
        from keepwise.notify.settings import parse_notify_settings

        parse_notify_settings(table(config.sections, "notify", "notify"))


class Workspace:
    """A folder with ``keepwise.toml`` and (by default) the DuckDB file ``keepwise.duckdb``.

    The database is opened on first use and released by :meth:`close`, so that a CLI command
    holds the embedded file only while it works. The services work for :attr:`viewer` (the
    operator, who sees everything, unless the workspace is a view :meth:`as_user`).
    """

    def __init__(
        self, path: Path, config: WorkspaceConfig, *, busy_timeout: float = 5.0,
        viewer: Viewer = OPERATOR, shared: _Shared | None = None, reads_only: bool = False,
    ) -> None:  # fmt: skip
        self.path = path
        self.config = config
        self.busy_timeout = busy_timeout
        self.viewer = viewer
        self._shared = shared or _Shared()
        self._is_view = shared is not None
        #: A view for one read (a web GET): its data version is read once and kept.
        self._reads_only = reads_only
        self._version: str | None = None
        #: The tables shared by the calls of a :meth:`session` (None outside one). Kept on this
        #: object, not in ``_Shared``: a view (:meth:`as_user`) is another object with its own
        #: viewer, so one viewer's session (their scoped tables) never reaches another's.
        self._session: Tables | None = None

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

    def as_user(self, viewer: Viewer, *, reads_only: bool = False) -> Workspace:
        """The same workspace (configuration, open store) seen by ``viewer``: every service
        of the view applies the viewer's role and customer scope. Closing a view leaves the
        store open; closing the workspace it came from closes it. ``reads_only``: a view for
        one request that changes no data (a web GET), which reads the data version once."""
        view = Workspace(self.path, self.config, busy_timeout=self.busy_timeout, viewer=viewer,
                         shared=self._shared, reads_only=reads_only)  # fmt: skip
        if reads_only and self._reads_only:
            view._version = self._version  # the same request: the same data version
        return view

    @property
    def reads_only(self) -> bool:
        return self._reads_only

    @property
    def store(self) -> Store:
        shared = self._shared
        if shared.store is None:
            with shared.lock:
                if shared.store is None:
                    url = database_url_for(self.path, self.config.database_url)
                    store = Store(url, busy_timeout=self.busy_timeout)
                    shared.store = store
                    if store.behind():  # made by an older Keepwise: upgraded in place
                        self.migrate()
        return shared.store

    @property
    def backend(self) -> str:
        return self.store.dialect

    def tables(self, *, keep: bool = False) -> Tables:
        """The canonical tables as the churn definition and the KPI engine read them, as the
        viewer sees them (a rep: their own customers and their facts); within a
        :meth:`session`, the session's (scoped the same way when it began)."""
        from keepwise.churn import Tables

        if self._session is not None:
            return self._session
        tables = Tables.from_backend(self.store.ibis(), keep=keep)
        scope = self.viewer.owner_scope
        return tables if scope is None else tables.for_owner(scope)

    def data_version(self) -> str:
        """A text that changes whenever data the reports read changes (an import, a status
        event, scores, any audited change) or the churn definition does: stored results
        computed on another version are stale."""
        if self._version is not None:
            return self._version
        shared = self._shared
        kept = shared.version
        if kept is not None and self._still_current(kept[1], kept[2]):
            text = kept[0]
        else:
            writes = self.store.writes  # before the read: a write meanwhile makes it stale
            with self.store.begin() as conn:
                version = data_version(conn)
            churn = hashlib.sha256(repr(self.config.churn).encode()).hexdigest()[:10]
            text = f"{version}.{churn}"
            if shared.reuse_s > 0:
                shared.version = (text, time.monotonic(), writes)
        if self._reads_only:
            self._version = text  # one version for the whole request
        return text

    def reuse_reads(self, seconds: float) -> None:
        """Let the data version read serve again for ``seconds`` (the server: a query fewer on
        every request). Any write of this process makes it stale at once (``Store.writes``);
        another process's (the CLI, or another server process, on PostgreSQL) shows within
        ``seconds``."""
        self._shared.reuse_s = seconds

    def _still_current(self, read_at: float, writes: int) -> bool:
        """Whether a data version read at ``read_at`` (monotonic), when the store had counted
        ``writes``, may serve again: within ``reuse_s`` and no write of this process since."""
        return (writes == self.store.writes
                and time.monotonic() - read_at < self._shared.reuse_s)  # fmt: skip

    @property
    def in_session(self) -> bool:
        return self._session is not None

    @contextmanager
    def session(self) -> Iterator[None]:
        """Several analyses of data that does not change meanwhile (a report's sections): the
        services' calls share one set of tables, so that the customer base, the status
        timeline and the customer facts of each as-of date and periods are computed once
        (``Tables(keep=True)``), and released at the end."""
        if self._session is not None:
            yield
            return
        self._session = self.tables(keep=True)
        try:
            yield
        finally:
            tables, self._session = self._session, None
            tables.release()

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
        shared = self._shared
        if shared.store is not None and not self._is_view:
            shared.store.close()
            shared.store = None
            shared.version = None  # a reopened store counts its writes from 0 again

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- the services -------------------------------------------------------------------------

    @cached_property
    def imports(self) -> ImportsService:
        from keepwise.workspace.imports import ImportsService

        return ImportsService(self)

    @cached_property
    def metrics(self) -> MetricsService:
        from keepwise.workspace.metrics import MetricsService

        return MetricsService(self)

    @cached_property
    def value(self) -> ValueService:
        from keepwise.workspace.value import ValueService

        return ValueService(self)

    @cached_property
    def risk(self) -> RiskService:
        from keepwise.workspace.risk import RiskService

        return RiskService(self)

    @cached_property
    def alerts(self) -> AlertsService:
        from keepwise.workspace.alerts import AlertsService

        return AlertsService(self)

    @cached_property
    def customers(self) -> CustomersService:
        from keepwise.workspace.customers import CustomersService

        return CustomersService(self)

    @cached_property
    def owners(self) -> OwnersService:
        from keepwise.workspace.owners import OwnersService

        return OwnersService(self)

    @cached_property
    def reports(self) -> ReportsService:
        from keepwise.workspace.reporting import ReportsService

        return ReportsService(self)

    @cached_property
    def notify(self) -> NotifyService:
        from keepwise.workspace.notify import NotifyService

        return NotifyService(self)

    @cached_property
    def surveys(self) -> SurveysService:
        from keepwise.workspace.surveys import SurveysService

        return SurveysService(self)

    @cached_property
    def refresh(self) -> RefreshService:
        from keepwise.workspace.refresh import RefreshService

        return RefreshService(self)

    @cached_property
    def directory(self) -> DirectoryService:
        from keepwise.workspace.directory import DirectoryService

        return DirectoryService(self)

    @cached_property
    def users(self) -> UsersService:
        from keepwise.workspace.users import UsersService

        return UsersService(self)

    @cached_property
    def settings(self) -> SettingsService:
        from keepwise.workspace.settings import SettingsService

        return SettingsService(self)

    @cached_property
    def results(self) -> ResultsService:
        from keepwise.workspace.results import ResultsService

        return ResultsService(self)

    @cached_property
    def jobs(self) -> JobsService:
        from keepwise.workspace.jobs import JobsService

        return JobsService(self)

    @cached_property
    def playbooks(self) -> PlaybooksService:
        from keepwise.workspace.playbooks import PlaybooksService

        return PlaybooksService(self)

    @cached_property
    def tasks(self) -> TasksService:
        from keepwise.workspace.tasks import TasksService

        return TasksService(self)

    # --- time: where the data ends, the default as-of, no results written for the future ---

    def data_end(self) -> dt.date | None:
        """The last day with imported activity (orders, product use, follow-ups, tickets,
        surveys, imported status events; None for an empty workspace). A user's own action
        (a void, a reassignment) is not data: it must not move the default as-of."""
        with self.store.begin() as conn:
            return activity_end(conn)

    def default_as_of(self, *, writing: bool = False) -> dt.date:
        """The default as-of date (:meth:`as_of`)."""
        return self.as_of(None, writing=writing).day

    def as_of(self, requested: dt.date | None, *, writing: bool = False) -> AsOf:
        """The as-of date of a command: the one requested, by default the day after the data
        ends (today if that is earlier, or if nothing is imported), with where the data ends
        (:meth:`AsOf.note` says so when the date is past it).

        A workspace whose data is current (it reaches yesterday) shows the changes users
        record today at once: the default is then tomorrow, the figures "as of now". A user's
        change does not move the default of a workspace whose data stopped earlier (that
        would put days without data into every figure), and results that are written
        (``writing``: scores, alerts, decisions) are never dated after today."""
        end, acted = self._ends_now()
        if requested is not None:
            return AsOf(requested, end)
        today = self.today()
        day = today if end is None else min(today, end + dt.timedelta(days=1))
        if not writing and acted is not None and dt.timedelta(0) <= acted - day <= _ACTION_SLACK:
            day = acted + dt.timedelta(days=1)
        return AsOf(day, end, acted=acted)

    def _ends_now(self) -> tuple[dt.date | None, dt.date | None]:
        """Where the data ends and the day of the latest change a user recorded, remembered
        per data version for a long-lived workspace (the server's): the version's small
        queries instead of a scan of every activity table on every request. (A user's status
        change is a status event, which moves the version.)"""
        if not self._is_view:
            return self._read_ends()
        version = self.data_version()
        memo = self._shared.data_end
        if version not in memo:
            memo.clear()
            memo[version] = self._read_ends()
        return memo[version]

    def _read_ends(self) -> tuple[dt.date | None, dt.date | None]:
        with self.store.begin() as conn:
            return activity_end(conn), last_user_change(conn)

    def now(self) -> dt.datetime:
        """The time now in the workspace's time zone (``[workspace] timezone``): the time of
        the changes users record, in the zone imported times are in."""
        return clock.now_in(self.config.timezone)

    def today(self) -> dt.date:
        """Today in the workspace's time zone."""
        return self.now().date()

    def check_writable(self, as_of: dt.date) -> dt.date:
        """Refuse to write results (scores, models, alerts, decisions) dated after today: they
        would be judged on days that have not happened and then stand as the latest results."""
        today = self.today()
        if as_of > today:
            raise InputError("workspace.future_as_of", as_of=as_of.isoformat(),
                             today=today.isoformat())  # fmt: skip
        return as_of


class Service:
    """One area of the workspace: its methods are what every interface calls."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws

    @property
    def store(self) -> Store:
        return self.ws.store

    @property
    def viewer(self) -> Viewer:
        return self.ws.viewer

    def check_customer(self, customer_id: str) -> None:
        """Raise NotFoundError unless ``customer_id`` exists and the viewer may see it (a rep
        learns nothing of another rep's customer, not even that it exists)."""
        c = schema.customers
        query = sa.select(c.c.customer_id).where(c.c.customer_id == customer_id)
        scope = self.viewer.owner_scope
        if scope is not None:
            query = query.where(c.c.owner_id == scope)
        with self.store.begin() as conn:
            found = conn.execute(query).first()
        if found is None:
            raise NotFoundError("customers.not_found", customer_id=customer_id)

    def check_scope(self, customer_id: str) -> None:
        """For a viewer with a scope (a rep), :meth:`check_customer`; for the others nothing
        (the service's own checks say when a customer does not exist)."""
        if self.viewer.owner_scope is not None:
            self.check_customer(customer_id)

    def visible_ids(self, customer_ids: list[str]) -> set[str]:
        """Those of ``customer_ids`` the viewer may see."""
        scope = self.viewer.owner_scope
        if scope is None or not customer_ids:
            return set(customer_ids) if scope is None else set()
        c = schema.customers
        query = sa.select(c.c.customer_id).where(
            c.c.customer_id.in_(list(customer_ids)), c.c.owner_id == scope
        )
        with self.store.begin() as conn:
            return {r[0] for r in conn.execute(query)}

    def own_ids(self) -> set[str]:
        """The customers a rep owns (for a viewer who sees everyone, use no filter at all)."""
        scope = self.viewer.owner_scope
        assert scope is not None, "own_ids is for viewers with a scope"
        c = schema.customers
        with self.store.begin() as conn:
            rows = conn.execute(sa.select(c.c.customer_id).where(c.c.owner_id == scope))
            return {r[0] for r in rows}

    def scoped_owner(self, owner: str | None) -> str | None:
        """The owner filter of a customer list as the viewer may ask for it: a rep gets their
        own customers, and nothing when they ask for another owner's."""
        scope = self.viewer.owner_scope
        if scope is None:
            return owner
        return scope if owner in (None, scope) else ""

    def option(self, section: str, name: str, default: Any) -> Any:
        """A setting of ``[section]`` in keepwise.toml."""
        return self.ws.config.section(section).get(name, default)

    def delete_score_run(
        self, kind: str, as_of: dt.date, actor: str, model_version: str | None = None
    ) -> int:
        """Delete the scores of one run of ``kind`` (churn or value) dated ``as_of``, audited;
        an error when there are none (a typo in the date, say)."""
        from keepwise.store import runs

        self.viewer.require("admin", "manager")
        with self.store.begin() as conn:
            count = runs.delete_scores(conn, kind=kind, as_of=as_of, model_version=model_version,
                                       actor=actor, at=clock.now())  # fmt: skip
        if not count:
            raise NotFoundError("workspace.no_scores_run", as_of=as_of.isoformat(),
                                version=model_version or "*")  # fmt: skip
        return count
