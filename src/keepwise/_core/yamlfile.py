"""YAML files a user edits (``rules.yaml``, ``playbooks/*.yaml``), read so that every error can
name its line: mappings and sequences remember the line of each key and item, and a syntax
error or a duplicate key raises :class:`ConfigError` naming the file, line and column in the
user's language. The files' own checks raise :class:`LineError` and let :func:`parse` turn it
into a :class:`ConfigError` the same way."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import yaml

from keepwise._core.errors import ConfigError
from keepwise._core.i18n import register

T = TypeVar("T")

register(
    {
        "yaml.syntax": {
            "zh": "{file} 第 {line} 行第 {column} 列：YAML 语法错误：{problem}",
            "en": "{file}, line {line}, column {column}: YAML syntax error: {problem}",
        },
        "yaml.duplicate_key": {
            "zh": "{file} 第 {line} 行：键 {value} 重复",
            "en": "{file}, line {line}: the key {value} appears twice",
        },
    }
)


class LinedMap(dict[str, Any]):
    """A YAML mapping that remembers the (1-based) line of itself and of each key."""

    line: int = 1
    lines: dict[str, int]


class LinedSeq(list[Any]):
    """A YAML sequence that remembers the (1-based) line of each item."""

    lines: list[int]


class LineError(Exception):
    """A problem at a line of the file: a message key and its parameters (``file`` and
    ``line`` are added by :func:`parse`)."""

    def __init__(self, msg: str, line: int, /, **params: object) -> None:
        super().__init__(msg)
        self.msg, self.line, self.params = msg, line, params


class _Loader(yaml.SafeLoader):
    pass


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> LinedMap:
    out = LinedMap()
    out.line, out.lines = node.start_mark.line + 1, {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if key in out:
            raise LineError("yaml.duplicate_key", line, value=str(key))
        out[str(key)] = loader.construct_object(value_node, deep=True)
        out.lines[str(key)] = line
    return out


def _construct_seq(loader: _Loader, node: yaml.SequenceNode) -> LinedSeq:
    out = LinedSeq(loader.construct_object(child, deep=True) for child in node.value)
    out.lines = [child.start_mark.line + 1 for child in node.value]
    return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_map)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_seq)


def parse(text: str, file: str, build: Callable[[Any], T]) -> T:
    """Load ``text`` (safely: a SafeLoader subclass) and hand the document to ``build``; a
    syntax error, a duplicate key or a :class:`LineError` raised by ``build`` becomes a
    :class:`ConfigError` naming ``file`` and the line."""
    try:
        doc = yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or exc.context or "?"
        raise ConfigError("yaml.syntax", file=file, line=line, column=column,
                          problem=problem) from None  # fmt: skip
    except LineError as err:
        raise ConfigError(err.msg, file=file, line=err.line, **err.params) from None
    try:
        return build(doc)
    except LineError as err:
        raise ConfigError(err.msg, file=file, line=err.line, **err.params) from None


def scalar(value: object) -> str:
    """A value as YAML writes it in a generated file: true/false, [a, b], 0.1."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return f"{value:g}" if isinstance(value, float) else str(value)
