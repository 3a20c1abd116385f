"""Bilingual (简体中文 / English) user-visible strings.

Every message has a stable key and one template per language. Modules register their own
catalogue with :func:`register` so each feature keeps its strings beside its code; the
interfaces pick the language per user (``KEEPWISE_LANG`` or ``LANG`` for the CLI).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")

_CATALOGUE: dict[str, dict[Lang, str]] = {}


def register(messages: Mapping[str, Mapping[str, str]]) -> None:
    """Add messages ``{key: {"zh": ..., "en": ...}}``; both languages are required."""
    for key, texts in messages.items():
        missing = [lang for lang in LANGS if not texts.get(lang)]
        if missing:
            raise ValueError(f"message {key!r} lacks {missing}")
        if key in _CATALOGUE and dict(_CATALOGUE[key]) != dict(texts):
            raise ValueError(f"message {key!r} registered twice with different texts")
        _CATALOGUE[key] = {"zh": texts["zh"], "en": texts["en"]}


@dataclass(frozen=True)
class Text:
    """A message as a parameter of another message (``expected=Text("config.expect.…")``):
    it is rendered in the language of the message it fills."""

    key: str
    params: dict[str, object] = field(default_factory=dict)

    def __str__(self) -> str:
        return t(self.key, "en", **self.params)


def t(key: str, lang: Lang | str = "en", /, **params: object) -> str:
    """The message ``key`` in ``lang`` with ``params`` filled in; unknown keys are returned as is."""
    texts = _CATALOGUE.get(key)
    if texts is None:
        return key
    template = texts["zh" if str(lang).startswith("zh") else "en"]
    if not params:
        return template
    params = {k: t(v.key, lang, **v.params) if isinstance(v, Text) else v
              for k, v in params.items()}  # fmt: skip
    return template.format(**params)


def has(key: str) -> bool:
    return key in _CATALOGUE


def keys() -> list[str]:
    return sorted(_CATALOGUE)


def normalise(lang: str | None) -> Lang:
    """Map ``zh_CN.UTF-8``, ``zh-Hans``, ``en_US`` … to ``zh`` or ``en`` (default English)."""
    return "zh" if lang and lang.lower().startswith("zh") else "en"


def lang_from_env() -> Lang:
    """The CLI's language: ``KEEPWISE_LANG`` first, then the locale (``LC_ALL``, ``LANG``)."""
    for var in ("KEEPWISE_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var)
        if value:
            return normalise(value)
    return "en"
