"""The workspace configuration, ``keepwise.toml``.

Only the sections the core needs are typed here; feature sections (``[value]``, ``[risk]``, …)
are kept in :attr:`WorkspaceConfig.sections` and read by the feature that owns them, so a new
feature never has to touch this module.
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from keepwise._core.errors import ConfigError
from keepwise._core.i18n import Lang, Text, normalise, register

CONFIG_FILE = "keepwise.toml"
#: Times imported with a UTC offset are converted to this zone (``[workspace] timezone``).
DEFAULT_TIMEZONE = "Asia/Shanghai"
ChurnMode = Literal["events", "inactivity"]

register(
    {
        "config.missing": {
            "zh": "{path} 不是 Keepwise 工作区（缺少 keepwise.toml）。请先运行 keepwise init {path}",
            "en": "{path} is not a Keepwise workspace (no keepwise.toml). "
            "Run keepwise init {path} first",
        },
        "config.syntax": {
            "zh": "配置文件 {path} 有语法错误：{error}",
            "en": "The configuration file {path} has a syntax error: {error}",
        },
        "config.value": {
            "zh": "配置项 {key} 的值 {value!r} 无效：{expected}",
            "en": "The setting {key} has an invalid value {value!r}: {expected}",
        },
        "config.exists": {
            "zh": "{path} 已经是一个工作区；如需重建请先删除它",
            "en": "{path} is already a workspace; delete it first to start over",
        },
        "config.unknown": {
            "zh": "keepwise.toml 中没有设置项 {key}{hint}",
            "en": "Unknown setting {key} in keepwise.toml{hint}",
        },
        "config.unknown_section": {
            "zh": "keepwise.toml 中没有 [{key}] 部分{hint}",
            "en": "Unknown section [{key}] in keepwise.toml{hint}",
        },
        "config.did_you_mean": {"zh": "；您是不是要写 {name}？", "en": "; did you mean {name}?"},
        "config.known": {"zh": "；可用的有：{names}", "en": "; known: {names}"},
        "config.expect.table": {"zh": "一个表（[…] 部分）", "en": "a table ([…] section)"},
        "config.expect.positive_int": {"zh": "大于 0 的整数", "en": "integer > 0"},
        "config.expect.probability": {"zh": "0 < p < 1 的数", "en": "0 < p < 1"},
    }
)

#: The sections of keepwise.toml. Those read here are checked here; ``value`` is checked by
#: ``keepwise.value.settings``, ``lifecycle`` by ``keepwise.lifecycle.settings``, ``notify`` by
#: ``keepwise.notify.settings``, and ``risk``, ``server``, ``surveys`` and ``refresh`` by
#: ``Workspace`` (all when a workspace opens).
SECTIONS = ("workspace", "database", "churn", "value", "risk", "lifecycle", "server", "notify",
            "surveys", "refresh")  # fmt: skip
WORKSPACE_KEYS = ("name", "language", "timezone")
DATABASE_KEYS = ("url",)
CHURN_RULE_KEYS = ("mode", "inactivity_days", "p_alive_below")
CHURN_KEYS = (*CHURN_RULE_KEYS, "segments")


def check_keys(raw: Mapping[str, Any], prefix: str, known: Sequence[str]) -> None:
    """Every key of the table ``raw`` (named ``prefix``; "" for the file's top level) is one of
    ``known``; else a ConfigError naming the closest known key (a typo is never ignored)."""
    for key in raw:
        if key in known:
            continue
        close = difflib.get_close_matches(str(key), known, n=1)
        dotted = f"{prefix}.{{}}" if prefix else "[{}]"
        hint = (Text("config.did_you_mean", {"name": dotted.format(close[0])}) if close
                else Text("config.known", {"names": ", ".join(known)}))  # fmt: skip
        if prefix:
            raise ConfigError("config.unknown", key=f"{prefix}.{key}", hint=hint)
        raise ConfigError("config.unknown_section", key=key, hint=hint)


def table(raw: Mapping[str, Any], key: str, name: str) -> dict[str, Any]:
    """The sub-table ``key`` of ``raw`` (empty when absent; a ConfigError when not a table)."""
    value = raw.get(key, {})
    if not isinstance(value, dict):
        raise ConfigError(
            "config.value", key=name, value=value, expected=Text("config.expect.table")
        )
    return value


@dataclass(frozen=True)
class ChurnRule:
    """When is a customer churned (DESIGN.md): explicit events only, or also inferred from
    inactivity (no order for ``inactivity_days``) or a low P(alive)."""

    mode: ChurnMode = "events"
    inactivity_days: int = 90
    p_alive_below: float | None = None


@dataclass(frozen=True)
class ChurnConfig:
    default: ChurnRule = ChurnRule()
    segments: dict[str, ChurnRule] = field(default_factory=dict)

    def for_segment(self, segment: str | None) -> ChurnRule:
        return self.segments.get(segment or "", self.default)


@dataclass(frozen=True)
class WorkspaceConfig:
    name: str = "Keepwise"
    language: Lang = "zh"
    database_url: str | None = None  # None: the DuckDB file in the workspace folder
    timezone: str = DEFAULT_TIMEZONE
    churn: ChurnConfig = ChurnConfig()
    sections: dict[str, Any] = field(default_factory=dict)

    def section(self, name: str) -> dict[str, Any]:
        value = self.sections.get(name, {})
        return value if isinstance(value, dict) else {}


def load_config(workspace_dir: Path) -> WorkspaceConfig:
    path = workspace_dir / CONFIG_FILE
    if not path.is_file():
        raise ConfigError("config.missing", path=str(workspace_dir))
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError("config.syntax", path=str(path), error=str(exc)) from exc
    return parse_config(raw)


def parse_config(raw: dict[str, Any]) -> WorkspaceConfig:
    check_keys(raw, "", SECTIONS)
    ws, db = table(raw, "workspace", "workspace"), table(raw, "database", "database")
    check_keys(ws, "workspace", WORKSPACE_KEYS)
    check_keys(db, "database", DATABASE_KEYS)
    return WorkspaceConfig(
        name=str(ws.get("name", "Keepwise")),
        language=_parse_language(ws.get("language", "zh")),
        database_url=db.get("url") or None,
        timezone=_parse_timezone(ws.get("timezone", DEFAULT_TIMEZONE)),
        churn=_parse_churn(table(raw, "churn", "churn")),
        sections=raw,
    )


def _parse_timezone(value: object) -> str:
    """An IANA time zone name such as "Asia/Shanghai" or "UTC"."""
    if value == DEFAULT_TIMEZONE:
        return DEFAULT_TIMEZONE
    from zoneinfo import available_timezones

    # "localtime" (the machine's zone) is a file of the zone database, not a zone name, and
    # unknown to the database's time zone functions.
    if not isinstance(value, str) or value not in available_timezones() - {"localtime"}:
        raise ConfigError(
            "config.value",
            key="workspace.timezone",
            value=value,
            expected='"Asia/Shanghai", "UTC", …',
        )
    return value


def _parse_language(value: object) -> Lang:
    if not isinstance(value, str) or value.strip().lower()[:2] not in ("zh", "en"):
        raise ConfigError("config.value", key="workspace.language", value=value,
                          expected='"zh" | "en"')  # fmt: skip
    return normalise(value)


def _parse_churn(raw: dict[str, Any]) -> ChurnConfig:
    check_keys(raw, "churn", CHURN_KEYS)
    default = _parse_churn_rule(raw, "churn", ChurnRule())
    segments = {
        str(name): _parse_churn_rule(table(raw["segments"], name, f"churn.segments.{name}"),
                                     f"churn.segments.{name}", default)
        for name in table(raw, "segments", "churn.segments")
    }  # fmt: skip
    return ChurnConfig(default=default, segments=segments)


def _parse_churn_rule(raw: dict[str, Any], key: str, base: ChurnRule) -> ChurnRule:
    if key != "churn":
        check_keys(raw, key, CHURN_RULE_KEYS)
    mode = raw.get("mode", base.mode)
    if mode not in ("events", "inactivity"):
        raise ConfigError(
            "config.value", key=f"{key}.mode", value=mode, expected='"events" | "inactivity"'
        )
    days = raw.get("inactivity_days", base.inactivity_days)
    if not isinstance(days, int) or isinstance(days, bool) or days <= 0:
        raise ConfigError(
            "config.value",
            key=f"{key}.inactivity_days",
            value=days,
            expected=Text("config.expect.positive_int"),
        )
    p_alive = raw.get("p_alive_below", base.p_alive_below)
    if p_alive is not None and not (isinstance(p_alive, int | float) and 0 < p_alive < 1):
        raise ConfigError(
            "config.value",
            key=f"{key}.p_alive_below",
            value=p_alive,
            expected=Text("config.expect.probability"),
        )
    return ChurnRule(mode=mode, inactivity_days=days, p_alive_below=p_alive)


def default_config_text(name: str, database_url: str | None, language: Lang = "zh") -> str:
    db_line = (
        f'url = "{database_url}"' if database_url else '# url = "postgresql://user:pw@host/db"'
    )
    return f"""# Keepwise workspace configuration. Documentation: docs/configuration.md
[workspace]
name = "{name}"
language = "{language}"     # zh or en: the default language of reports and messages
timezone = "{DEFAULT_TIMEZONE}"  # imported times with a UTC offset (+08, Z) are converted to it

[database]
# Default: the embedded DuckDB file keepwise.duckdb in this folder.
{db_line}

[churn]
# "events": churned only at an explicit status event (contract businesses).
# "inactivity": also churned when no order for inactivity_days (retail, distribution).
mode = "events"
inactivity_days = 90
# Per segment, for example:
# [churn.segments.retail]
# mode = "inactivity"
# inactivity_days = 120
"""
