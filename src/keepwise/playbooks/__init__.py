"""Retention playbooks (挽留行动方案) and their tasks: who is targeted, who is held out, the
tasks and their outcomes, and whether the playbook worked (uplift against the hold-out)."""

from keepwise.playbooks.builtin import BUILTIN
from keepwise.playbooks.files import PLAYBOOKS_DIR, load_playbooks, playbook_text, write_builtin
from keepwise.playbooks.run import PlaybookRun, RunResult, run_playbooks
from keepwise.playbooks.spec import Action, Playbook, Trigger

__all__ = [
    "BUILTIN",
    "PLAYBOOKS_DIR",
    "Action",
    "Playbook",
    "PlaybookRun",
    "RunResult",
    "Trigger",
    "load_playbooks",
    "playbook_text",
    "run_playbooks",
    "write_builtin",
]
