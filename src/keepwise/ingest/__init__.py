"""Import of CRM exports into the canonical data model."""

from keepwise.ingest.contract import KINDS, Column, Kind
from keepwise.ingest.importer import ImportResult, ProgressFn, get_kind, import_file
from keepwise.ingest.mapping import Mapping, load_mapping

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
