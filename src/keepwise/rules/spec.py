"""The rule file ``rules.yaml`` (预警规则文件) in the workspace folder.

When the file is absent the built-in defaults apply (one rule per kind). A file that does not
parse, or names an unknown kind, key or parameter, raises :class:`ConfigError` naming the line
and column, in the user's language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from keepwise._core.errors import ConfigError
from keepwise._core.i18n import register
from keepwise._core.yamlfile import LinedMap as _Map
from keepwise._core.yamlfile import LinedSeq as _Seq
from keepwise._core.yamlfile import LineError as _Err
from keepwise._core.yamlfile import parse, scalar
from keepwise.rules.kinds_catalogue import KINDS, PLAYBOOKS, SEVERITIES, Kind, Param

RULES_FILE = "rules.yaml"
RULE_KEYS = ("id", "kind", "label_zh", "label_en", "severity", "playbook", "enabled", "params")
_ID = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")

register(
    {
        "rules.shape": {
            "zh": "{file} 第 {line} 行：文件应包含 rules: 列表，每条规则是一个映射（键: 值）",
            "en": "{file}, line {line}: the file needs a rules: list whose items are mappings "
            "(key: value)",
        },
        "rules.unknown_key": {
            "zh": "{file} 第 {line} 行：未知的键 {key}；可用的键：{known}",
            "en": "{file}, line {line}: unknown key {key}; known keys: {known}",
        },
        "rules.missing_key": {
            "zh": "{file} 第 {line} 行：规则缺少 {key}",
            "en": "{file}, line {line}: the rule lacks {key}",
        },
        "rules.unknown_kind": {
            "zh": "{file} 第 {line} 行：未知的规则类型 {kind}；内置类型：{known}",
            "en": "{file}, line {line}: unknown rule kind {kind}; built-in kinds: {known}",
        },
        "rules.unknown_param": {
            "zh": "{file} 第 {line} 行：规则类型 {kind} 没有参数 {param}；可用参数：{known}",
            "en": "{file}, line {line}: rule kind {kind} has no parameter {param}; "
            "its parameters: {known}",
        },
        "rules.bad_value": {
            "zh": "{file} 第 {line} 行：{key} 的值 {value} 无效，应为{expected_zh}",
            "en": "{file}, line {line}: {key} has an invalid value {value}; expected {expected_en}",
        },
        "rules.exists": {
            "zh": "{path} 已存在；如需覆盖请加 --force",
            "en": "{path} already exists; add --force to overwrite it",
        },
        "rules.duplicate_id": {
            "zh": "{file} 第 {line} 行：规则编号 id {value} 重复",
            "en": "{file}, line {line}: the rule id {value} is used twice",
        },
    }
)


@dataclass(frozen=True)
class Rule:
    """One early-warning rule: a built-in kind with parameters, a severity and a playbook."""

    id: str
    kind: str
    severity: str
    playbook: str
    params: dict[str, Any] = field(default_factory=dict)
    enabled: bool = True
    label_zh: str = ""
    label_en: str = ""

    def label(self, lang: str) -> str:
        return self.label_zh if lang.startswith("zh") else self.label_en


def default_rules() -> list[Rule]:
    """The built-in rules: one per kind, with the kind's defaults."""
    return [
        Rule(k.name, k.name, k.severity, k.playbook, k.defaults(), True, k.label_zh, k.label_en)
        for k in KINDS.values()
    ]


def load_rules(folder: Path) -> list[Rule]:
    """The rules of a workspace: ``rules.yaml`` when present, else the defaults."""
    path = Path(folder) / RULES_FILE
    if not path.exists():
        return default_rules()
    return parse_rules(path.read_text(encoding="utf-8"), file=path.name)


def write_default_rules(folder: Path, *, force: bool = False) -> Path:
    """Write the built-in rules to ``rules.yaml`` for editing; never overwrite unless ``force``."""
    path = Path(folder) / RULES_FILE
    if path.exists() and not force:
        raise ConfigError("rules.exists", path=str(path))
    path.write_text(default_rules_text(), encoding="utf-8")
    return path


# --- parsing, with the line of every key -----------------------------------------------------


def parse_rules(text: str, *, file: str = RULES_FILE) -> list[Rule]:
    """Parse the text of a rule file; raise :class:`ConfigError` naming the line on errors."""
    return parse(text, file, _rules)


def _rules(doc: object) -> list[Rule]:
    if doc is None:
        return []
    items = doc.get("rules") if isinstance(doc, _Map) else None
    if not isinstance(doc, _Map) or not isinstance(items, _Seq | None):
        raise _Err("rules.shape", getattr(doc, "lines", {}).get("rules", 1))
    for key in doc:
        if key not in ("rules", "version"):
            raise _Err("rules.unknown_key", doc.lines[key], key=key, known="rules, version")
    rules: list[Rule] = []
    seen: set[str] = set()
    for n, item in enumerate(items or []):
        if not isinstance(item, _Map):
            raise _Err("rules.shape", items.lines[n] if items else 1)
        rule = _rule(item)
        if rule.id in seen:
            raise _Err("rules.duplicate_id", item.lines["id"], value=rule.id)
        seen.add(rule.id)
        rules.append(rule)
    return rules


def _rule(item: _Map) -> Rule:
    for key in item:
        if key not in RULE_KEYS:
            raise _Err("rules.unknown_key", item.lines[key], key=key, known=", ".join(RULE_KEYS))
    for key in ("id", "kind"):
        if key not in item:
            raise _Err("rules.missing_key", item.line, key=key)
    kind_name = item["kind"]
    kind = KINDS.get(kind_name) if isinstance(kind_name, str) else None
    if kind is None:
        raise _Err("rules.unknown_kind", item.lines["kind"], kind=kind_name, known=", ".join(KINDS))
    rule_id = item["id"]
    if not isinstance(rule_id, str) or not _ID.match(rule_id):
        _bad(
            item, "id", ("字母、数字或 _ . -（最多 64 个）", "letters, digits, _ . - (at most 64)")
        )
    severity = item.get("severity", kind.severity)
    if severity not in SEVERITIES:
        _bad(item, "severity", _one_of(SEVERITIES))
    playbook = item.get("playbook", kind.playbook)
    if playbook not in PLAYBOOKS:
        _bad(item, "playbook", _one_of(PLAYBOOKS))
    enabled = item.get("enabled", True)
    if not isinstance(enabled, bool):
        _bad(item, "enabled", _one_of(("true", "false")))
    labels = {k: item.get(k, getattr(kind, k)) for k in ("label_zh", "label_en")}
    for key, value in labels.items():
        if not isinstance(value, str):
            _bad(item, key, ("文本", "text"))
    return Rule(rule_id, kind.name, severity, playbook, _params(item, kind), enabled,
                labels["label_zh"], labels["label_en"])  # fmt: skip


def _params(item: _Map, kind: Kind) -> dict[str, Any]:
    given = item.get("params")
    given = _Map() if given is None else given
    if not isinstance(given, _Map):
        _bad(item, "params", ("映射（参数名: 值）", "a mapping (name: value)"))
    params: dict[str, Any] = kind.defaults()
    for name, value in given.items():
        spec = kind.param(name)
        if spec is None:
            known = ", ".join(p.name for p in kind.params)
            raise _Err("rules.unknown_param", given.lines[name], kind=kind.name, param=name,
                       known=known)  # fmt: skip
        params[name] = _value(spec, value, given.lines[name])
    if "baseline_days" in params and params["baseline_days"] < params.get("window_days", 0):
        line = given.lines.get("baseline_days") or given.lines.get("window_days") or item.line
        raise _Err("rules.bad_value", line,
                   key="params.baseline_days", value=params["baseline_days"],
                   expected_zh=f"不小于 window_days（{params['window_days']}）",
                   expected_en=f">= window_days ({params['window_days']})")  # fmt: skip
    return params


def _value(spec: Param, value: object, line: int) -> object:
    raw, ok = value, False
    if spec.type is float:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        value = float(value) if ok else value  # type: ignore[arg-type]
    elif spec.type is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif spec.type is list:
        ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
    else:
        ok = isinstance(value, spec.type)
    ok = ok and (spec.choices is None or value in spec.choices)
    if ok and isinstance(value, int | float) and not isinstance(value, bool):
        ok = (spec.minimum is None or value >= spec.minimum) and (
            spec.maximum is None or value <= spec.maximum
        )
    if not ok:
        zh, en = _expected(spec)
        raise _Err("rules.bad_value", line, key=f"params.{spec.name}", value=repr(raw),
                   expected_zh=zh, expected_en=en)  # fmt: skip
    return value


_TYPE_NAMES = {int: ("整数", "an integer"), float: ("数字", "a number"),
               bool: ("true / false", "true / false"), list: ("文本列表", "a list of text")}  # fmt: skip


def _one_of(choices: tuple[str, ...]) -> tuple[str, str]:
    return "以下之一：" + " / ".join(choices), "one of " + " / ".join(choices)


def _expected(spec: Param) -> tuple[str, str]:
    """What a parameter accepts, in Chinese and in English."""
    if spec.choices:
        return _one_of(spec.choices)
    zh, en = _TYPE_NAMES.get(spec.type, ("文本", "text"))
    if spec.minimum is not None:
        zh, en = zh + f"，且 >= {spec.minimum:g}", en + f" >= {spec.minimum:g}"
    if spec.maximum is not None:
        zh, en = zh + f"，且 <= {spec.maximum:g}", en + f" <= {spec.maximum:g}"
    return zh, en


def _bad(item: _Map, key: str, expected: tuple[str, str]) -> None:
    raise _Err("rules.bad_value", item.lines.get(key, item.line), key=key,
               value=repr(item.get(key)), expected_zh=expected[0],
               expected_en=expected[1])  # fmt: skip


# --- the default file, for editing -----------------------------------------------------------


def default_rules_text() -> str:
    """``rules.yaml`` with the built-in rules and a comment on every parameter."""
    out = [
        "# Keepwise early-warning rules / 预警规则. Documentation: docs/alerts.md",
        "# severity 严重程度: " + " / ".join(SEVERITIES),
        "# playbook 建议行动: " + " / ".join(PLAYBOOKS),
        "version: 1",
        "rules:",
    ]
    for kind in KINDS.values():
        out += [
            f"  - id: {kind.name}",
            f"    kind: {kind.name}",
            f"    label_zh: {kind.label_zh}",
            f"    label_en: {kind.label_en}",
            f"    severity: {kind.severity}",
            f"    playbook: {kind.playbook}",
            "    enabled: true",
            "    params:",
        ]
        for p in kind.params:
            out.append(f"      {p.name}: {scalar(p.default)}  # {p.help_en} / {p.help_zh}")
    return "\n".join(out) + "\n"
