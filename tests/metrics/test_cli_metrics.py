"""The KPI commands (JSON output, tables, the bilingual catalogue, errors) and docs/metrics.md
covering every KPI of the catalogue."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import kpi_fixture as fx
import pytest

from cli_support import cli
from keepwise.metrics import KPIS
from keepwise.workspace import Workspace

REPO = Path(__file__).resolve().parents[2]
MARCH = ["--start", "2024-03-01", "--end", "2024-04-01", "--as-of", "2024-07-01"]


@pytest.fixture
def ws_dir(tmp_workspace: Callable[..., Workspace]) -> Path:
    ws = tmp_workspace(fx.data())
    config = ws.path / "keepwise.toml"
    config.write_text(config.read_text(encoding="utf-8") +
                      '\n[churn.segments.retail]\nmode = "inactivity"\ninactivity_days = 30\n',
                      encoding="utf-8")  # fmt: skip
    ws.close()
    return ws.path


def test_metrics_json(ws_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "-w", str(ws_dir), "metrics", "-m", "churn_rate", "-m",
                       "void_ratio", *MARCH, "--json")  # fmt: skip
    assert code == 0
    rows = json.loads(out)
    assert rows == [
        {"metric": "churn_rate", "period_start": "2024-03-01", "period_end": "2024-04-01",
         "dimension": None, "value": 1 / 27, "numerator": 1.0, "denominator": 27.0,
         "complete": True},
        {"metric": "void_ratio", "period_start": "2024-03-01", "period_end": "2024-04-01",
         "dimension": None, "value": 1 / 34, "numerator": 1.0, "denominator": 34.0,
         "complete": True},
    ]  # fmt: skip
    code, out, _ = cli(capsys, "-w", str(ws_dir), "metrics", "-m", "cac", "--by", "channel",
                       *MARCH, "--json")  # fmt: skip
    by_channel = {r["dimension"]: r for r in json.loads(out)}
    assert by_channel["sales"]["value"] == 1000 and by_channel["web"]["value"] is None


def test_metrics_several_cuts(ws_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--by twice and --total: one JSON list, each row naming its cut; the uncut row and the
    segment rows are those of separate commands."""
    w = ["-w", str(ws_dir), "metrics", "-m", "churn_rate", *MARCH, "--json"]
    code, out, _ = cli(capsys, *w, "--by", "segment", "--by", "channel", "--total")
    assert code == 0
    rows = json.loads(out)
    assert rows[0]["by"] == "segment"
    assert {r["by"] for r in rows} == {"segment", "channel", None}
    for cut in ("segment", "channel", None):
        _, alone, _ = cli(capsys, *w, *(["--by", cut] if cut else []))
        mine = [{k: v for k, v in r.items() if k != "by"} for r in rows if r["by"] == cut]
        assert mine == json.loads(alone), cut
    (uncut,) = [r for r in rows if r["by"] is None]
    assert (uncut["numerator"], uncut["denominator"]) == (1.0, 27.0)
    code, out, _ = cli(capsys, "--lang", "zh", *w[:-1], "--by", "segment", "--total")
    assert code == 0 and "合计" in out and "维度：客户分类" in out


def test_metrics_table_and_catalogue(ws_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "--lang", "zh", "-w", str(ws_dir), "metrics", "-m",
                       "churn_rate", *MARCH)  # fmt: skip
    assert code == 0 and "客户流失率" in out and "3.7%" in out
    code, out, _ = cli(capsys, "metrics", "--list", "--json")
    listed = json.loads(out)
    assert [r["id"] for r in listed] == [k.id for k in KPIS]
    assert all(r["name_zh"] and r["name_en"] and r["definition_zh"] for r in listed)
    code, out, _ = cli(capsys, "--lang", "en", "metrics", "--list")
    assert code == 0 and "客户保留率" in out and "Retention rate" in out


def test_other_commands_json(ws_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    w = ["-w", str(ws_dir)]
    _, out, _ = cli(capsys, *w, "drilldown", "churn_rate", "2024-03-15", "--as-of",
                    "2024-07-01", "--json")  # fmt: skip
    rows = json.loads(out)
    assert [r["customer_id"] for r in rows if r["in_numerator"]] == ["E2"]
    assert sum(r["in_denominator"] for r in rows) == 27
    _, out, _ = cli(capsys, *w, "cohorts", "--start", "2024-01-01", "--end", "2024-02-01",
                    "--as-of", "2024-07-01", "--json")  # fmt: skip
    assert [r["retained"] for r in json.loads(out)] == [4, 0, 2, 2, 2, 2]
    _, out, _ = cli(capsys, *w, "reasons", *MARCH, "--json")
    assert [(r["reason"], r["customers"]) for r in json.loads(out)] == [("price", 1)]
    _, out, _ = cli(capsys, *w, "reasons", "--avoidable", *MARCH, "--json")
    assert [(r["avoidable"], r["customers"]) for r in json.loads(out)] == [("avoidable", 1)]
    _, out, _ = cli(capsys, *w, "impact", *MARCH, "--json")
    assert json.loads(out)[0]["acquisition_cost_unrecovered"] == 300
    code, out, _ = cli(capsys, *w, "cohorts", "--km", "--as-of", "2024-07-01")
    assert code == 0 and "retail" in out


def test_errors_are_clear(ws_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli(capsys, "--lang", "zh", "-w", str(ws_dir), "metrics", "-m", "churn")
    assert code == 2 and "未知的指标 churn" in err and "Traceback" not in err
    code, _, err = cli(capsys, "-w", str(ws_dir), "metrics", "--by", "colour")
    assert code == 2 and "Unknown dimension colour" in err
    code, _, err = cli(capsys, "-w", str(ws_dir), "metrics", "--grain", "day")
    assert code == 2 and "Unknown period grain day" in err


def test_python_api_matches(ws_dir: Path) -> None:
    with Workspace.open(ws_dir) as ws:
        df = ws.metrics.compute(["churn_rate"], as_of=fx.AS_OF, start=fx.AS_OF.replace(month=3),
                        end=fx.AS_OF.replace(month=4))  # fmt: skip
        assert df[["numerator", "denominator"]].values.tolist() == [[1, 27]]
        assert ws.metrics.catalogue("zh")[0]["definition"].startswith("期初前获得")


def test_docs_cover_every_kpi() -> None:
    text = (REPO / "docs" / "metrics.md").read_text(encoding="utf-8")
    for k in KPIS:
        heading = f"### {k.id} — {k.name_zh} ({k.name_en})"
        assert heading in text, f"docs/metrics.md lacks {heading!r}"
