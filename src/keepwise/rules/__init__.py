"""Early warning (客户流失预警): declarative rules in ``rules.yaml``, evaluated as of a date,
and the alerts they open, with dedup and a life cycle (open → acknowledged → closed)."""

from keepwise.rules.alerts import (
    ALERT_STATUSES,
    Alert,
    RunResult,
    acknowledge,
    close,
    history,
    list_alerts,
    record,
)
from keepwise.rules.evaluate import Hit, evaluate
from keepwise.rules.kinds_catalogue import KINDS, PLAYBOOKS, SEVERITIES, Kind, Param
from keepwise.rules.spec import (
    RULES_FILE,
    Rule,
    default_rules,
    default_rules_text,
    load_rules,
    parse_rules,
    write_default_rules,
)

__all__ = [
    "ALERT_STATUSES",
    "KINDS",
    "PLAYBOOKS",
    "RULES_FILE",
    "SEVERITIES",
    "Alert",
    "Hit",
    "Kind",
    "Param",
    "Rule",
    "RunResult",
    "acknowledge",
    "close",
    "default_rules",
    "default_rules_text",
    "evaluate",
    "history",
    "list_alerts",
    "load_rules",
    "parse_rules",
    "record",
    "write_default_rules",
]
