"""What triggered a target, in words: a reason code, an alert rule, or an occasion of the care
calendar (``birthday:2026-05-03``, ``mid_autumn:2026-09-25``)."""

from __future__ import annotations

from keepwise._core.taxonomy import REASONS_BY_CODE
from keepwise.playbooks.catalogue import OCCASIONS
from keepwise.playbooks.holidays import HOLIDAYS
from keepwise.rules.kinds_catalogue import KINDS


def describe(detail: object, lang: str) -> str:
    """``detail`` in ``lang``; an unknown code as it is, nothing as "—"."""
    if not isinstance(detail, str) or not detail:
        return "—"
    zh = lang.startswith("zh")
    if ":" in detail:
        code, _, when = detail.partition(":")
        if code in HOLIDAYS:
            return f"{HOLIDAYS[code].name(lang)} {when}"
        if code in OCCASIONS:
            return f"{OCCASIONS[code][0 if zh else 1]} {when}"
        return detail
    if detail in REASONS_BY_CODE:
        r = REASONS_BY_CODE[detail]
        return r.label_zh if zh else r.label_en
    if detail in KINDS:
        k = KINDS[detail]
        return k.label_zh if zh else k.label_en
    return detail
