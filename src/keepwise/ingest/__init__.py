"""Import of CRM exports into the canonical data model.

The contract (kinds and columns) is light and imported at once; the importer and mapping files
(pandas, pyarrow, YAML) on first use (PEP 562), so the command line can name the kinds in its
help without paying for them.
"""

from __future__ import annotations

import importlib
import typing

from keepwise.ingest.contract import KINDS, Column, Kind

if typing.TYPE_CHECKING:
    from keepwise.ingest.importer import ImportResult, ProgressFn, get_kind, import_file
    from keepwise.ingest.mapping import Mapping, load_mapping

_LAZY = {
    "ImportResult": "keepwise.ingest.importer",
    "ProgressFn": "keepwise.ingest.importer",
    "get_kind": "keepwise.ingest.importer",
    "import_file": "keepwise.ingest.importer",
    "Mapping": "keepwise.ingest.mapping",
    "load_mapping": "keepwise.ingest.mapping",
}

__all__ = [
    "KINDS",
    "Column",
    "ImportResult",
    "Kind",
    "Mapping",
    "ProgressFn",
    "get_kind",
    "import_file",
    "load_mapping",
]


def __getattr__(name: str) -> typing.Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'keepwise.ingest' has no attribute {name!r}")
