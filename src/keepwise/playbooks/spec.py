"""Playbooks (挽留行动方案) as declarative YAML files ``playbooks/*.yaml`` in the workspace.

A playbook says *who* becomes a target (a trigger and a filter), *what* each target gets (one
task per action: type, owner, due date, cost, a message in both languages), which share of the
targets is held out (no task, so that the effect can be measured), and over how many days the
effect is judged. A file holds one playbook (a mapping with ``id:``) or several
(``playbooks:`` list). Errors name the file and line, in the user's language (the machinery of
``rules.yaml``: :mod:`keepwise._core.yamlfile`).
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field
from typing import Any

from keepwise._core.i18n import register
from keepwise._core.yamlfile import LinedMap, LinedSeq, LineError
from keepwise.churn import LOST
from keepwise.playbooks.catalogue import (
    ACTION_KEYS,
    BANDS,
    FILTER_KEYS,
    MESSAGE_FIELDS,
    OCCASIONS,
    PLAYBOOK_KEYS,
    TASK_TYPES,
    TIERS,
    TRIGGER_KEYS,
)
from keepwise.playbooks.holidays import DEFAULT_HOLIDAYS, HOLIDAYS

STATUSES = ("active", "at_risk", "churned", "voided", "won_back")
_ID = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
#: The trigger keys that name an event; at least one is needed.
EVENT_KEYS = ("alert", "status", "reason", "risk_band", "tier", "segment", "care_calendar")

register(
    {
        "playbooks.shape": {
            "zh": "{file} 第 {line} 行：应为一个行动方案（含 id: 的映射）或 playbooks: 列表",
            "en": "{file}, line {line}: expected a playbook (a mapping with id:) or a "
            "playbooks: list",
        },
        "playbooks.unknown_key": {
            "zh": "{file} 第 {line} 行：{where}中未知的键 {key}；可用的键：{known}",
            "en": "{file}, line {line}: unknown key {key} in {where}; known keys: {known}",
        },
        "playbooks.missing_key": {
            "zh": "{file} 第 {line} 行：缺少 {key}",
            "en": "{file}, line {line}: {key} is missing",
        },
        "playbooks.bad_value": {
            "zh": "{file} 第 {line} 行：{key} 的值 {value} 无效，应为{expected_zh}",
            "en": "{file}, line {line}: {key} has an invalid value {value}; expected {expected_en}",
        },
        "playbooks.no_event": {
            "zh": "{file} 第 {line} 行：trigger 至少需要以下之一：{keys}",
            "en": "{file}, line {line}: the trigger needs at least one of {keys}",
        },
        "playbooks.mixed_status": {
            "zh": "{file} 第 {line} 行：trigger.status 不能同时包含流失状态（churned、voided）"
            "和在保状态：前者衡量挽回率，后者衡量留存率",
            "en": "{file}, line {line}: trigger.status cannot mix lost statuses (churned, "
            "voided) with kept ones: the former measure win-back, the latter retention",
        },
        "playbooks.bad_template": {
            "zh": "{file} 第 {line} 行：{key} 中的占位符 {{{name}}} 未知；可用：{known}",
            "en": "{file}, line {line}: {key} uses an unknown placeholder {{{name}}}; "
            "known: {known}",
        },
        "playbooks.duplicate_id": {
            "zh": "{file} 第 {line} 行：行动方案编号 {value} 重复（另见 {other}）",
            "en": "{file}, line {line}: the playbook id {value} is used twice (also in {other})",
        },
    }
)


@dataclass(frozen=True)
class Action:
    """One task per target: what to do, who does it, by when, at what cost."""

    type: str
    owner: str = "customer"  # the customer's owner, an owner id, or role:ROLE
    due_days: int = 7
    cost: float = 0.0
    message_zh: str = ""
    message_en: str = ""


@dataclass(frozen=True)
class Trigger:
    """The event that makes a customer a target; every condition given must hold."""

    alert: tuple[str, ...] = ()  # rule ids with an alert dated in the last within_days days
    status: tuple[str, ...] = ()  # moved to one of these statuses in the last within_days days
    reason: tuple[str, ...] = ()  # the reason of that move (or of the current lost status)
    risk_band: tuple[str, ...] = ()  # latest risk band
    tier: tuple[str, ...] = ()  # latest value tier
    segment: tuple[str, ...] = ()
    care_calendar: tuple[str, ...] = ()  # occasions within days_ahead days
    holidays: tuple[str, ...] = DEFAULT_HOLIDAYS
    within_days: int = 30
    days_ahead: int = 7

    @property
    def measure(self) -> str:
        """``winback`` for lost customers (a status trigger on churned/voided, or a reason
        alone), ``retention`` for every other trigger."""
        if self.status and set(self.status) <= set(LOST):
            return "winback"
        if self.reason and not self.status:
            return "winback"
        return "retention"


@dataclass(frozen=True)
class Playbook:
    id: str
    name_zh: str
    name_en: str
    trigger: Trigger
    actions: tuple[Action, ...]
    filter: dict[str, tuple[str, ...]] = field(default_factory=dict)
    holdout: float = 0.1
    holdout_seed: str | None = None
    cooldown_days: int = 90
    evaluate_days: int = 90
    enabled: bool = True
    file: str = ""

    def name(self, lang: str) -> str:
        return self.name_zh if lang.startswith("zh") else self.name_en

    @property
    def seed(self) -> str:
        """What the hold-out hash is salted with: the playbook id unless set."""
        return self.holdout_seed or self.id

    @property
    def measure(self) -> str:
        return self.trigger.measure

    def to_dict(self) -> dict[str, Any]:
        from dataclasses import asdict

        out = asdict(self)
        out["measure"] = self.measure
        out.pop("file")
        return out


# --- parsing ----------------------------------------------------------------------------------


def playbooks_from_doc(doc: object) -> list[Playbook]:
    """The playbooks of one parsed file (see :func:`keepwise._core.yamlfile.parse`)."""
    if doc is None:
        return []
    if isinstance(doc, LinedMap) and "playbooks" in doc:
        for key in doc:
            if key not in ("playbooks", "version"):
                raise LineError("playbooks.unknown_key", doc.lines[key], key=key, where="file",
                                known="playbooks, version")  # fmt: skip
        items = doc["playbooks"]
        if not isinstance(items, LinedSeq | None):
            raise LineError("playbooks.shape", doc.lines["playbooks"])
        out = []
        for n, item in enumerate(items or []):
            if not isinstance(item, LinedMap):
                raise LineError("playbooks.shape", items.lines[n] if items else 1)
            out.append(_playbook(item))
        return out
    if isinstance(doc, LinedMap):
        return [_playbook(doc)]
    raise LineError("playbooks.shape", 1)


def _playbook(item: LinedMap) -> Playbook:
    _known(item, PLAYBOOK_KEYS, "playbook")
    for key in ("id", "trigger", "actions"):
        if key not in item:
            raise LineError("playbooks.missing_key", item.line, key=key)
    pid = item["id"]
    if not isinstance(pid, str) or not _ID.match(pid):
        _bad(
            item, "id", ("字母、数字或 _ . -（最多 64 个）", "letters, digits, _ . - (at most 64)")
        )
    names = {k: item.get(k, pid) for k in ("name_zh", "name_en")}
    for key, value in names.items():
        if not isinstance(value, str) or not value.strip():
            _bad(item, key, ("文本", "text"))
    actions = item["actions"]
    if not isinstance(actions, LinedSeq) or not actions:
        _bad(item, "actions", ("至少一个动作的列表", "a list of at least one action"))
    return Playbook(
        id=pid, name_zh=names["name_zh"], name_en=names["name_en"],
        trigger=_trigger(_mapping(item, "trigger")),
        actions=tuple(_action(a, actions.lines[n]) for n, a in enumerate(actions)),
        filter=_filter(_mapping(item, "filter")) if "filter" in item else {},
        holdout=_number(item, "holdout", 0.1, 0.0, 0.9),
        holdout_seed=_text(item, "holdout_seed"),
        cooldown_days=int(_number(item, "cooldown_days", 90, 0, 3650, integer=True)),
        evaluate_days=int(_number(item, "evaluate_days", 90, 1, 3650, integer=True)),
        enabled=_flag(item, "enabled", True),
    )  # fmt: skip


def _trigger(m: LinedMap) -> Trigger:
    _known(m, TRIGGER_KEYS, "trigger")
    if not any(k in m for k in EVENT_KEYS):
        raise LineError("playbooks.no_event", m.line, keys=", ".join(EVENT_KEYS))
    status = _words(m, "status", STATUSES)
    if status and set(status) & set(LOST) and not set(status) <= set(LOST):
        raise LineError("playbooks.mixed_status", m.lines["status"])
    return Trigger(
        alert=_words(m, "alert"), status=status, reason=_words(m, "reason"),
        risk_band=_words(m, "risk_band", BANDS), tier=_words(m, "tier", TIERS),
        segment=_words(m, "segment"), care_calendar=_words(m, "care_calendar", tuple(OCCASIONS)),
        holidays=_words(m, "holidays", tuple(HOLIDAYS)) or DEFAULT_HOLIDAYS,
        within_days=int(_number(m, "within_days", 30, 1, 3650, integer=True)),
        days_ahead=int(_number(m, "days_ahead", 7, 1, 366, integer=True)),
    )  # fmt: skip


def _filter(m: LinedMap) -> dict[str, tuple[str, ...]]:
    _known(m, FILTER_KEYS, "filter")
    choices = {"tier": TIERS, "risk_band": BANDS}
    return {k: _words(m, k, choices.get(k)) for k in FILTER_KEYS if k in m}


def _action(a: object, line: int) -> Action:
    if not isinstance(a, LinedMap):
        raise LineError("playbooks.shape", line)
    _known(a, ACTION_KEYS, "action")
    if "type" not in a:
        raise LineError("playbooks.missing_key", a.line, key="type")
    if a["type"] not in TASK_TYPES:
        _bad(a, "type", _one_of(tuple(TASK_TYPES)))
    owner = _text(a, "owner") or "customer"
    messages = {k: _text(a, k) or "" for k in ("message_zh", "message_en")}
    for key, text in messages.items():
        _check_template(a, key, text)
    return Action(
        type=a["type"], owner=owner,
        due_days=int(_number(a, "due_days", 7, 0, 365, integer=True)),
        cost=_number(a, "cost", 0.0, 0.0, None), **messages,
    )  # fmt: skip


# --- values -----------------------------------------------------------------------------------


def _known(m: LinedMap, keys: tuple[str, ...], where: str) -> None:
    for key in m:
        if key not in keys:
            raise LineError("playbooks.unknown_key", m.lines[key], key=key, where=where,
                            known=", ".join(keys))  # fmt: skip


def _mapping(item: LinedMap, key: str) -> LinedMap:
    value = item.get(key)
    if not isinstance(value, LinedMap):
        _bad(item, key, ("映射（键: 值）", "a mapping (key: value)"))
    return value  # type: ignore[return-value]


def _words(m: LinedMap, key: str, choices: tuple[str, ...] | None = None) -> tuple[str, ...]:
    """A list of words (a single word is a list of one), each among ``choices`` if given."""
    value = m.get(key)
    if value is None:
        return ()
    items = [value] if isinstance(value, str) else value
    ok = isinstance(items, list) and items and all(isinstance(v, str) and v for v in items)
    if ok and choices is not None:
        ok = all(v in choices for v in items)
    if not ok:
        _bad(m, key, _one_of(choices) if choices else ("文本列表", "a list of words"))
    return tuple(items)


def _number(m: LinedMap, key: str, default: float, lo: float, hi: float | None,
            *, integer: bool = False) -> float:  # fmt: skip
    value = m.get(key, default)
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    ok = ok and (not integer or isinstance(value, int)) and lo <= value <= (hi or float("inf"))
    if not ok:
        kind = ("整数", "an integer") if integer else ("数字", "a number")
        upper = f"，且 <= {hi:g}" if hi is not None else ""
        upper_en = f" <= {hi:g}" if hi is not None else ""
        _bad(m, key, (f"{kind[0]}，且 >= {lo:g}{upper}", f"{kind[1]} >= {lo:g}{upper_en}"))
    return float(value)


def _text(m: LinedMap, key: str) -> str | None:
    value = m.get(key)
    if value is not None and not isinstance(value, str):
        _bad(m, key, ("文本", "text"))
    return value


def _flag(m: LinedMap, key: str, default: bool) -> bool:
    value = m.get(key, default)
    if not isinstance(value, bool):
        _bad(m, key, _one_of(("true", "false")))
    return bool(value)


def _check_template(m: LinedMap, key: str, text: str) -> None:
    try:
        fields = [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]
    except ValueError:
        _bad(m, key, ("文本，花括号成对", "text with balanced braces"))
        return
    for name in fields:
        if name not in MESSAGE_FIELDS:
            raise LineError("playbooks.bad_template", m.lines.get(key, m.line), key=key,
                            name=name, known=", ".join(MESSAGE_FIELDS))  # fmt: skip


def _one_of(choices: tuple[str, ...] | None) -> tuple[str, str]:
    choices = choices or ()
    return "以下之一：" + " / ".join(choices), "one of " + " / ".join(choices)


def _bad(m: LinedMap, key: str, expected: tuple[str, str]) -> None:
    raise LineError("playbooks.bad_value", m.lines.get(key, m.line), key=key,
                    value=repr(m.get(key)), expected_zh=expected[0],
                    expected_en=expected[1])  # fmt: skip
