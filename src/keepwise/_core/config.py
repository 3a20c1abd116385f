"""The workspace configuration, ``keepwise.toml``.

Only the sections the core needs are typed here; feature sections (``[value]``, ``[risk]``, …)
are kept in :attr:`WorkspaceConfig.sections` and read by the feature that owns them, so a new
feature never has to touch this module.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from keepwise._core.errors import ConfigError
from keepwise._core.i18n import Lang, normalise, register

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
    }
)


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
    ws = raw.get("workspace", {})
    db = raw.get("database", {})
    return WorkspaceConfig(
        name=str(ws.get("name", "Keepwise")),
        language=normalise(str(ws.get("language", "zh"))),
        database_url=db.get("url") or None,
        timezone=_parse_timezone(ws.get("timezone", DEFAULT_TIMEZONE)),
        churn=_parse_churn(raw.get("churn", {})),
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


def _parse_churn(raw: dict[str, Any]) -> ChurnConfig:
    default = _parse_churn_rule(raw, "churn", ChurnRule())
    segments = {
        str(name): _parse_churn_rule(value, f"churn.segments.{name}", default)
        for name, value in raw.get("segments", {}).items()
    }
    return ChurnConfig(default=default, segments=segments)


def _parse_churn_rule(raw: dict[str, Any], key: str, base: ChurnRule) -> ChurnRule:
    mode = raw.get("mode", base.mode)
    if mode not in ("events", "inactivity"):
        raise ConfigError(
            "config.value", key=f"{key}.mode", value=mode, expected='"events" | "inactivity"'
        )
    days = raw.get("inactivity_days", base.inactivity_days)
    if not isinstance(days, int) or isinstance(days, bool) or days <= 0:
        raise ConfigError(
            "config.value", key=f"{key}.inactivity_days", value=days, expected="integer > 0"
        )
    p_alive = raw.get("p_alive_below", base.p_alive_below)
    if p_alive is not None and not (isinstance(p_alive, int | float) and 0 < p_alive < 1):
        raise ConfigError(
            "config.value", key=f"{key}.p_alive_below", value=p_alive, expected="0 < p < 1"
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
