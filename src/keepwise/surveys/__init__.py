"""Surveys that close the loop (docs/reports.md, "Surveys"): unique, expiring, single-use,
signed links to a public page in the customer's language; an answer becomes a survey row and,
for a detractor or a customer thinking of leaving, an alert for the owner."""

from keepwise.surveys.links import (
    DETRACTOR_AT_MOST,
    RULE_LABELS,
    Answer,
    Link,
    State,
    create_link,
    parse_answer,
    record_answer,
    state,
)
from keepwise.surveys.tasks import task_links
from keepwise.surveys.tokens import sign, verify

__all__ = [
    "DETRACTOR_AT_MOST",
    "RULE_LABELS",
    "Answer",
    "Link",
    "State",
    "create_link",
    "parse_answer",
    "record_answer",
    "sign",
    "state",
    "task_links",
    "verify",
]
