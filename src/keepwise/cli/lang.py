"""Which language the command line speaks (docs/configuration.md, "Language").

Precedence, first that is set: ``--lang`` > ``KEEPWISE_LANG`` > the workspace's
``[workspace] language`` > the locale (``LC_ALL``, ``LC_MESSAGES``, ``LANG``) > English.
The workspace's own setting beats the locale because it is the team's choice for that data;
``KEEPWISE_LANG`` beats it because it is one person's choice for their terminal.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from keepwise._core.config import CONFIG_FILE
from keepwise._core.i18n import Lang, normalise

LOCALE_VARS = ("LC_ALL", "LC_MESSAGES", "LANG")


def parse_lang(value: str) -> Lang | None:
    """``zh``, ``zh_CN.UTF-8``, ``zh-Hans`` → zh; ``en``, ``en_US`` → en; anything else None."""
    head = value.strip().lower()[:2]
    return normalise(head) if head in ("zh", "en") else None


def workspace_lang(workspace_dir: Path) -> Lang | None:
    """``[workspace] language`` of the workspace, if it sets a valid one. A broken file is not
    this function's to report: opening the workspace does that, in the language found here."""
    try:
        raw = tomllib.loads((workspace_dir / CONFIG_FILE).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    section = raw.get("workspace")
    value = section.get("language") if isinstance(section, dict) else None
    return parse_lang(value) if isinstance(value, str) else None


def env_lang() -> Lang:
    """The language from the environment alone (``KEEPWISE_LANG``, then the locale)."""
    for var in ("KEEPWISE_LANG", *LOCALE_VARS):
        value = os.environ.get(var)
        if value:
            return normalise(value)
    return "en"


def resolve_lang(explicit: Lang | None, workspace_dir: Path | None) -> Lang:
    if explicit:
        return explicit
    if os.environ.get("KEEPWISE_LANG"):
        return normalise(os.environ["KEEPWISE_LANG"])
    if workspace_dir is not None and (chosen := workspace_lang(workspace_dir)):
        return chosen
    return env_lang()
