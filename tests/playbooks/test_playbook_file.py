"""Playbook files: the built-ins round-trip through their own YAML, and every mistake is
reported with its file and line in both languages."""

from __future__ import annotations

from pathlib import Path

import pytest

from keepwise._core.errors import ConfigError
from keepwise.playbooks import BUILTIN, load_playbooks, playbook_text, write_builtin
from keepwise.playbooks.spec import Trigger


def test_the_builtins_follow_the_seeds() -> None:
    by_id = {p.id: p for p in BUILTIN}
    # seed 000 §4: survey every voided customer; an offer to the price-sensitive and those
    # whose needs changed; an executive interview with key accounts
    assert by_id["void_survey"].trigger.status == ("voided",)
    assert by_id["void_survey"].actions[0].type == "survey"
    assert by_id["lost_remarketing"].trigger.reason == ("price", "product_fit")
    assert by_id["lost_remarketing"].actions[0].type == "winback_offer"
    assert by_id["key_account_interview"].actions[0].type == "exec_visit"
    assert {p.measure for p in BUILTIN} == {"retention", "winback"}
    assert all(p.holdout == 0.1 for p in BUILTIN)
    types = {a.type for p in BUILTIN for a in p.actions}
    assert types == {"survey", "winback_offer", "exec_visit", "care_call", "education",
                     "loyalty_offer", "fast_response"}  # fmt: skip


def test_the_builtins_round_trip_through_their_files(tmp_path: Path) -> None:
    assert load_playbooks(tmp_path) == list(BUILTIN)  # no folder: the built-ins
    paths = write_builtin(tmp_path)
    assert len(paths) == len(BUILTIN)
    loaded = load_playbooks(tmp_path)
    assert [p.id for p in loaded] == sorted(p.id for p in BUILTIN)
    by_id = {p.id: p for p in BUILTIN}
    for p in loaded:
        assert p.file == f"{p.id}.yaml"
        assert p.to_dict() == by_id[p.id].to_dict()
    with pytest.raises(ConfigError) as err:
        write_builtin(tmp_path)
    assert "--force" in err.value.message("en")
    write_builtin(tmp_path, force=True)


def _error(tmp_path: Path, text: str, name: str = "p.yaml") -> ConfigError:
    folder = tmp_path / "playbooks"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_playbooks(tmp_path)
    return err.value


GOOD = "id: a\ntrigger: {status: voided}\nactions: [{type: survey}]\n"


@pytest.mark.parametrize(
    ("text", "line", "en", "zh"),
    [
        ("id: a\ntrigger:\n  status: voided\n   bad: 1\n", 4, "YAML syntax error", "YAML 语法错误"),
        ("id: a\nid: b\n", 2, "the key id appears twice", "键 id 重复"),
        (GOOD + "colour: red\n", 4, "unknown key colour in playbook", "未知的键 colour"),
        ("id: a\nactions: [{type: survey}]\n", 1, "trigger is missing", "缺少 trigger"),
        ("id: a\ntrigger:\n  mood: sad\nactions: [{type: survey}]\n", 3,
         "unknown key mood in trigger", "trigger中未知的键 mood"),
        ("id: a\ntrigger:\n  within_days: 3\nactions: [{type: survey}]\n", 3,
         "the trigger needs at least one of", "trigger 至少需要"),
        ("id: a\ntrigger:\n  status: [voided, active]\nactions: [{type: survey}]\n", 3,
         "cannot mix lost statuses", "不能同时包含"),
        ("id: a\ntrigger: {status: gone}\nactions: [{type: survey}]\n", 2,
         "status has an invalid value 'gone'", "status 的值 'gone' 无效"),
        ("id: a\ntrigger: {risk_band: huge}\nactions: [{type: survey}]\n", 2,
         "one of low / medium / high", "以下之一：low / medium / high"),
        ("id: a\ntrigger: {status: voided}\nactions:\n  - type: dance\n", 4,
         "type has an invalid value 'dance'", "type 的值 'dance' 无效"),
        ("id: a\ntrigger: {status: voided}\nactions:\n  - type: survey\n    message_en: 'Hi {name}'\n",
         5, "unknown placeholder {name}", "占位符 {name} 未知"),
        (GOOD + "holdout: 0.95\n", 4, "holdout has an invalid value 0.95", "holdout 的值 0.95"),
        (GOOD + "cooldown_days: 1.5\n", 4, "an integer", "整数"),
        ("id: 'a b'\ntrigger: {status: voided}\nactions: [{type: survey}]\n", 1,
         "id has an invalid value", "id 的值"),
        ("id: a\ntrigger: {status: voided}\nactions: []\n", 3,
         "a list of at least one action", "至少一个动作的列表"),
    ],
)  # fmt: skip
def test_mistakes_name_the_line(tmp_path: Path, text: str, line: int, en: str, zh: str) -> None:
    err = _error(tmp_path, text)
    assert err.message("en").startswith(f"p.yaml, line {line}"), err.message("en")
    assert err.message("zh").startswith(f"p.yaml 第 {line} 行"), err.message("zh")
    assert en in err.message("en") and zh in err.message("zh")


def test_an_id_used_in_two_files(tmp_path: Path) -> None:
    folder = tmp_path / "playbooks"
    folder.mkdir()
    (folder / "a.yaml").write_text(GOOD, encoding="utf-8")
    err = _error(tmp_path, "# another\n" + GOOD, name="b.yaml")
    assert err.message("en") == "b.yaml, line 2: the playbook id a is used twice (also in a.yaml)"


def test_a_file_of_several_playbooks_and_defaults(tmp_path: Path) -> None:
    folder = tmp_path / "playbooks"
    folder.mkdir()
    (folder / "all.yaml").write_text(
        "version: 1\nplaybooks:\n  - " + GOOD.replace("\n", "\n    ").rstrip()
        + "\n  - id: b\n    trigger: {reason: price}\n    actions: [{type: winback_offer}]\n",
        encoding="utf-8",
    )  # fmt: skip
    a, b = load_playbooks(tmp_path)
    assert (a.id, a.holdout, a.cooldown_days, a.evaluate_days, a.enabled) == (
        "a",
        0.1,
        90,
        90,
        True,
    )
    assert a.actions[0].owner == "customer" and a.actions[0].due_days == 7
    assert a.name_en == "a" and a.trigger.within_days == 30
    assert b.measure == "winback"  # a reason alone: lost customers
    assert Trigger(alert=("purchase_drop",)).measure == "retention"
    assert playbook_text(a).startswith("# Keepwise playbook")
