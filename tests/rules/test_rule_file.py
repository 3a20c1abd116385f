"""The rule file rules.yaml: defaults, round trip, and errors that name the line in both
languages."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from keepwise import Workspace
from keepwise._core.errors import ConfigError
from keepwise.rules import KINDS, default_rules, default_rules_text, load_rules, parse_rules

GOOD = """\
version: 1
rules:
  - id: quiet_buyers
    kind: purchase_drop
    severity: medium
    playbook: care_call
    params:
      window_days: 60
      threshold_pct: 40
  - id: usage
    kind: usage_drop
    enabled: false
"""


def _error(text: str) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        parse_rules(text)
    return info.value


def test_defaults_cover_every_kind_and_round_trip_through_the_file() -> None:
    rules = default_rules()
    assert {r.kind for r in rules} == set(KINDS) and len(KINDS) == 8
    assert parse_rules(default_rules_text()) == rules


def test_a_file_overrides_params_and_keeps_the_other_defaults() -> None:
    quiet, usage = parse_rules(GOOD)
    assert (quiet.id, quiet.kind, quiet.severity, quiet.playbook) == (
        "quiet_buyers", "purchase_drop", "medium", "care_call")  # fmt: skip
    assert quiet.params == {"window_days": 60, "baseline_days": 365, "threshold_pct": 40.0,
                            "min_norm": 1.0}  # fmt: skip
    assert quiet.label_en == "Purchase frequency falling" and quiet.label_zh == "购买频率下降"
    assert usage.enabled is False and usage.severity == KINDS["usage_drop"].severity


def test_workspace_without_a_file_uses_the_defaults(make_ws: Callable[..., Workspace]) -> None:
    ws = make_ws()
    assert ws.alerts.rules() == default_rules()
    path = ws.alerts.init_rules()
    assert path.name == "rules.yaml" and load_rules(ws.path) == default_rules()
    path.write_text(GOOD, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        ws.alerts.init_rules()  # never overwrites an edited file
    assert "already exists" in info.value.message("en") and "已存在" in info.value.message("zh")
    assert [r.id for r in ws.alerts.rules()] == ["quiet_buyers", "usage"]
    ws.alerts.init_rules(force=True)
    assert ws.alerts.rules() == default_rules()


BAD_INDENT = """\
version: 1
rules:
  - id: quiet_buyers
    kind: purchase_drop
    params:
      window_days: 60
   severity: high
"""


@pytest.mark.parametrize(
    ("text", "line", "en", "zh"),
    [
        (BAD_INDENT, 7, "YAML syntax error", "YAML 语法错误"),
        (GOOD.replace("kind: usage_drop", "kind: usage_dropp"), 11,
         "unknown rule kind usage_dropp", "未知的规则类型 usage_dropp"),
        (GOOD.replace("threshold_pct: 40", "threshold: 40"), 9,
         "rule kind purchase_drop has no parameter threshold", "没有参数 threshold"),
        (GOOD.replace("threshold_pct: 40", "threshold_pct: 140"), 9,
         "params.threshold_pct has an invalid value 140", "params.threshold_pct 的值 140 无效"),
        (GOOD.replace("window_days: 60", "window_days: sixty"), 8,
         "expected an integer", "应为整数"),
        (GOOD.replace("severity: medium", "severity: urgent"), 5,
         "severity has an invalid value 'urgent'", "severity 的值 'urgent' 无效"),
        (GOOD.replace("playbook: care_call", "playbook: lunch"), 6, "playbook", "playbook"),
        (GOOD.replace("enabled: false", "enabled: maybe"), 12, "enabled", "enabled"),
        (GOOD.replace("id: usage", "id: quiet_buyers"), 10,
         "the rule id quiet_buyers is used twice", "规则编号 id quiet_buyers 重复"),
        (GOOD.replace("    enabled: false", "    kind: usage_drop"), 12,
         "the key kind appears twice", "键 kind 重复"),
        (GOOD.replace("    enabled: false", "    colour: red"), 12,
         "unknown key colour", "未知的键 colour"),
        (GOOD.replace("  - id: usage\n    kind", "  - kind"), 10, "the rule lacks id", "规则缺少 id"),
        (GOOD.replace("window_days: 60", "window_days: 600"), 8,
         "baseline_days", "不小于 window_days"),
        ("rules:\n  - just text\n", 2, "needs a rules: list", "rules: 列表"),
        ("rules: [\n", 2, "YAML syntax error", "YAML 语法错误"),
    ],
)  # fmt: skip
def test_errors_name_the_line_in_both_languages(text: str, line: int, en: str, zh: str) -> None:
    err = _error(text)
    assert f"rules.yaml, line {line}" in err.message("en"), err.message("en")
    assert en in err.message("en")
    assert f"rules.yaml 第 {line} 行" in err.message("zh"), err.message("zh")
    assert zh in err.message("zh")


def test_an_empty_file_has_no_rules() -> None:
    assert parse_rules("") == [] and parse_rules("rules:\n") == []


def test_every_kind_and_parameter_is_documented() -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "alerts.md").read_text("utf-8")
    for kind in KINDS.values():
        assert f"`{kind.name}`" in docs and kind.label_zh in docs, kind.name
        for param in kind.params:
            assert f"`{param.name}`" in docs, (kind.name, param.name)


@settings(max_examples=60, deadline=None)
@given(
    window=st.integers(1, 400),
    extra=st.integers(0, 400),
    # Percentages as people write them (YAML 1.1 reads "5e-324", without a dot, as text).
    threshold=st.integers(0, 10_000).map(lambda n: n / 100),
    blank_lines=st.integers(0, 3),
)
def test_any_valid_parameters_round_trip(
    window: int, extra: int, threshold: float, blank_lines: int
) -> None:
    text = "\n" * blank_lines + (
        "rules:\n  - id: r\n    kind: purchase_drop\n    params:\n"
        f"      window_days: {window}\n      baseline_days: {window + extra}\n"
        f"      threshold_pct: {threshold!r}\n"
    )
    (r,) = parse_rules(text)
    assert (r.params["window_days"], r.params["baseline_days"]) == (window, window + extra)
    assert r.params["threshold_pct"] == threshold
    bad = _error(
        text.replace(f"threshold_pct: {threshold!r}", f"threshold_pct: {-1 - threshold!r}")
    )
    assert f"line {blank_lines + 7}" in bad.message("en")
