"""The folder ``playbooks/`` of a workspace: reading every ``*.yaml`` in it (the built-ins when
there is no such folder) and writing the built-ins there for editing."""

from __future__ import annotations

from pathlib import Path

from keepwise._core.errors import ConfigError
from keepwise._core.i18n import register
from keepwise._core.yamlfile import parse, scalar
from keepwise.playbooks.builtin import BUILTIN
from keepwise.playbooks.catalogue import TASK_TYPES
from keepwise.playbooks.spec import Action, Playbook, Trigger, playbooks_from_doc

PLAYBOOKS_DIR = "playbooks"

register(
    {
        "playbooks.exists": {
            "zh": "{path} 已存在；如需覆盖请加 --force",
            "en": "{path} already exists; add --force to overwrite it",
        },
    }
)


def load_playbooks(workspace: Path) -> list[Playbook]:
    """The playbooks of a workspace: every ``playbooks/*.yaml`` (by file name), or the
    built-ins when the folder does not exist. An id used twice is an error."""
    folder = Path(workspace) / PLAYBOOKS_DIR
    if not folder.is_dir():
        return list(BUILTIN)
    found: list[Playbook] = []
    where: dict[str, str] = {}
    for path in sorted(folder.glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        for p in parse(text, path.name, playbooks_from_doc):
            if p.id in where:
                line = _id_line(text, p.id)
                raise ConfigError("playbooks.duplicate_id", file=path.name, line=line,
                                  value=p.id, other=where[p.id])  # fmt: skip
            where[p.id] = path.name
            found.append(_with_file(p, path.name))
    return found


def write_builtin(workspace: Path, *, force: bool = False) -> list[Path]:
    """Write each built-in playbook to ``playbooks/<id>.yaml`` for editing; never overwrite a
    file unless ``force``."""
    folder = Path(workspace) / PLAYBOOKS_DIR
    paths = [folder / f"{p.id}.yaml" for p in BUILTIN]
    existing = [p for p in paths if p.exists()]
    if existing and not force:
        raise ConfigError("playbooks.exists", path=str(existing[0]))
    folder.mkdir(parents=True, exist_ok=True)
    for playbook, path in zip(BUILTIN, paths, strict=True):
        path.write_text(playbook_text(playbook), encoding="utf-8")
    return paths


def playbook_text(p: Playbook) -> str:
    """One playbook as an editable YAML file, with a comment on every key."""
    out = [
        "# Keepwise playbook / 挽留行动方案. Documentation: docs/playbooks.md",
        f"id: {p.id}",
        f"name_zh: {_quote(p.name_zh)}",
        f"name_en: {_quote(p.name_en)}",
        "enabled: " + scalar(p.enabled),
        "# who becomes a target / 触发条件",
        "trigger:",
        *_trigger_lines(p.trigger),
    ]
    if p.filter:
        out.append("# who among them / 目标筛选")
        out.append("filter:")
        out += [f"  {k}: {scalar(list(v))}" for k, v in p.filter.items()]
    out.append("# one task per target and action / 每个目标、每个动作一项任务")
    out.append("# type 任务类型: " + " / ".join(TASK_TYPES))
    out.append("actions:")
    for a in p.actions:
        out += _action_lines(a)
    out += [
        f"holdout: {scalar(p.holdout)}  # share of targets held out (no task) / 对照组比例",
        f"cooldown_days: {p.cooldown_days}  # a customer is targeted again only after this "
        "many days / 再次选中的间隔天数",
        f"evaluate_days: {p.evaluate_days}  # the effect is judged over this many days after "
        "targeting / 效果评估天数",
    ]
    return "\n".join(out) + "\n"


def _trigger_lines(t: Trigger) -> list[str]:
    out = []
    for key in ("alert", "status", "reason", "risk_band", "tier", "segment", "care_calendar"):
        value = getattr(t, key)
        if value:
            out.append(f"  {key}: {scalar(list(value))}")
    if t.care_calendar:
        out.append(f"  holidays: {scalar(list(t.holidays))}")
        out.append(f"  days_ahead: {t.days_ahead}  # occasions in the next days / 提前天数")
    if t.alert or t.status:
        out.append(f"  within_days: {t.within_days}  # how recent the alert or status change "
                   "/ 事件发生在最近几天内")  # fmt: skip
    return out


def _action_lines(a: Action) -> list[str]:
    return [
        f"  - type: {a.type}",
        f"    owner: {a.owner}  # customer (the customer's owner), an owner id, or role:ROLE",
        f"    due_days: {a.due_days}",
        f"    cost: {scalar(a.cost)}  # per task / 每项任务成本",
        f"    message_zh: {_quote(a.message_zh)}",
        f"    message_en: {_quote(a.message_en)}",
    ]


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _with_file(p: Playbook, file: str) -> Playbook:
    from dataclasses import replace

    return replace(p, file=file)


def _id_line(text: str, pid: str) -> int:
    for n, line in enumerate(text.splitlines(), start=1):
        if line.strip().lstrip("- ").startswith("id:") and line.split(":", 1)[1].strip() == pid:
            return n
    return 1
