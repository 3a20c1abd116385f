"""Words more than one view shows (the command line's tables, the reports, the pages, the
notification digest): the three levels of a risk band or an alert's severity, the playbooks
an alert suggests and the types of task a playbook gives. Defined once here (below the domain
packages, which do not import one another), so that every view names them alike."""

from __future__ import annotations

#: low / medium / high: a churn-risk band, an alert's severity.
LEVELS: dict[str, tuple[str, str]] = {
    "low": ("低", "low"),
    "medium": ("中", "medium"),
    "high": ("高", "high"),
}

#: The playbooks an alert rule may suggest (``rules.yaml``: ``playbook``).
SUGGESTED_PLAYBOOKS: dict[str, tuple[str, str]] = {
    "care_call": ("关怀回访", "care call"),
    "survey": ("满意度调查", "survey"),
    "exec_visit": ("高层拜访", "executive visit"),
    "winback_offer": ("挽回优惠", "win-back offer"),
    "education": ("使用培训", "education"),
    "loyalty_offer": ("忠诚度优惠", "loyalty offer"),
}

#: What a task asks the owner to do (seed 000 §4's follow-up table, seed 003's measures).
TASK_TYPES: dict[str, tuple[str, str]] = {
    "survey": ("调查问卷", "survey"),
    "winback_offer": ("二次营销优惠", "re-marketing offer"),
    "exec_visit": ("高管访谈", "executive interview"),
    "care_call": ("关怀回访", "care call"),
    "education": ("客户培训", "education session"),
    "loyalty_offer": ("忠诚度优惠", "loyalty offer"),
    "fast_response": ("快速响应升级", "fast-response escalation"),
}


def messages(prefix: str, words: dict[str, tuple[str, str]]) -> dict[str, dict[str, str]]:
    """``words`` as translations under ``prefix.KEY`` (for :func:`keepwise._core.i18n.register`)."""
    return {f"{prefix}.{key}": {"zh": zh, "en": en} for key, (zh, en) in words.items()}
