"""Every string of every report exists in both languages: no message key is left in a report
(a key is what the catalogue returns for a text it does not know), and each language's report
speaks that language."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from readers import read_html

KEY = re.compile(r"\b(?:report|value|metric|workspace)\.[a-z_]+\.[a-z_.]+")


@pytest.mark.parametrize("kind", ["retention", "void-effect", "no-value"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_message_keys(kind: str, lang: str, report_file: Callable[..., Path]) -> None:
    html = read_html(report_file("demo", kind, "html", lang))
    visible = re.sub(r"<style>.*?</style>|<svg.*?</svg>|<[^>]+>", " ", html.text, flags=re.S)
    assert not KEY.findall(visible)
    headers = " ".join(h for t in html.tables for h in t.headers)
    if lang == "zh":
        assert re.search(r"[\u4e00-\u9fff]", headers)
    else:  # English headers (ids and customer names aside, no Chinese)
        assert not re.search(r"[\u4e00-\u9fff]", headers), headers
