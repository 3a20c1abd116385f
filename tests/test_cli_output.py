"""What the commands print (issue 11): every ``--json`` output is strict JSON (no NaN) on an empty
workspace, before the data and on a demo company; every table at 80 columns in Chinese keeps its
numbers whole, speaks Chinese and fits; the shared formatting never cuts a number."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import math
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

from cli_support import cli
from keepwise import Workspace
from keepwise.cli import fmt
from keepwise.metrics import KPIS

AS_OF = "2026-11-01"
BEFORE = "2019-01-01"


def strict(text: str) -> object:
    def refuse(constant: str) -> None:
        raise ValueError(f"{constant} is not JSON")

    return json.loads(text, parse_constant=refuse)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small demo company (made once; each test works on its own copy)."""
    path = tmp_path_factory.mktemp("cli-output") / "demo"
    ws = Workspace.init(path, lang="en")
    ws.imports.load_demo(customers=200, seed=1, as_of=dt.date(2026, 11, 1))
    ws.close()
    with (path / "keepwise.toml").open("a", encoding="utf-8") as f:  # a quick model will do
        f.write("\n[risk]\nsnapshots = 2\nsplits = 1\nmax_trees = 20\n")
    return path


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A labelled snapshot for snapshot mode, and a customers file to import."""
    folder = tmp_path_factory.mktemp("cli-files")
    rng = np.random.default_rng(7)
    n = 300
    tenure = rng.integers(1, 72, n)
    monthly = rng.uniform(20, 120, n).round(2)
    contract = rng.choice(["monthly", "yearly"], n)
    risk = 0.6 - tenure / 150 + (contract == "monthly") * 0.2
    churn = (rng.uniform(0, 1, n) < risk).astype(int)
    lines = ["id,tenure,monthly,contract,churn"] + [
        f"S{i},{tenure[i]},{monthly[i]},{contract[i]},{churn[i]}" for i in range(n)
    ]
    (folder / "snapshot.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "customers.csv").write_text(
        "customer_id,name,segment,acquired_at\nN1,新客户,smb,2025-01-01\n", encoding="utf-8"
    )
    return {"snapshot": folder / "snapshot.csv", "customers": folder / "customers.csv"}


def copy_of(template: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(template, tmp_path / "ws"))


def commands(as_of: str, files: dict[str, Path]) -> list[list[str]]:
    """Every command that reports something, in an order that works (train before score …)."""
    snapshot = str(files["snapshot"])
    return [
        ["status"], ["summary", "--as-of", as_of],
        ["metrics", "--as-of", as_of], ["metrics", "--as-of", as_of, "--by", "segment", "--total"],
        ["metrics", "--list"],
        ["drilldown", "churn_rate", "2026-09-01", "--as-of", as_of],
        ["drilldown", "revenue", "2026-09-01", "--as-of", as_of, "--by", "segment", "--value",
         "smb"],
        ["cohorts", "--as-of", as_of], ["cohorts", "--as-of", as_of, "--by", "channel"],
        ["cohorts", "--as-of", as_of, "--curves"], ["cohorts", "--as-of", as_of, "--km"],
        ["reasons", "--as-of", as_of], ["reasons", "--as-of", as_of, "--avoidable"],
        ["impact", "--as-of", as_of],
        ["risk", "train", "--as-of", as_of], ["risk", "score", "--as-of", as_of],
        ["risk", "list"], ["risk", "backtest", "--as-of", as_of],
        ["risk", "survival", "--as-of", as_of],
        ["risk", "evaluate", snapshot, "--label", "churn", "--id", "id"],
        ["risk", "survival", snapshot, "--duration", "tenure", "--event", "churn", "--by",
         "contract"],
        ["value", "rfm", "--as-of", as_of], ["value", "tiers", "--as-of", as_of],
        ["value", "clv", "--as-of", as_of], ["value", "no-value", "--as-of", as_of],
        ["value", "calibration", "--calibration-end", "2026-03-01", "--observation-end", as_of],
        ["value", "score", "--as-of", as_of],
        ["alerts", "run", "--as-of", as_of], ["alerts", "list"], ["alerts", "rules"],
        ["alerts", "history", "1"],
        ["customer", "show", "C000002", "--as-of", as_of], ["customer", "history", "C000001"],
        ["customer", "void", "C000002", "--reason", "price", "--note", "测试"],
        ["customer", "history", "C000002"], ["customer", "revert", "C000002"],
        ["customer", "reassign", "C000002", "--to", "E0002"], ["customer", "approvals"],
        ["owner", "leave", "E0004", "--as-of", as_of], ["pool", "list"],
        ["pool", "report", "--as-of", as_of],
        ["import", "customers", str(files["customers"])],
    ]  # fmt: skip


@pytest.fixture(params=["empty", "before the data", "demo"])
def scenario(
    request: pytest.FixtureRequest, template: Path, tmp_path: Path
) -> Iterator[tuple[str, Path, str]]:
    if request.param == "empty":
        Workspace.init(tmp_path / "ws", lang="en").close()
        yield request.param, tmp_path / "ws", AS_OF
    else:
        as_of = BEFORE if request.param == "before the data" else AS_OF
        yield request.param, copy_of(template, tmp_path), as_of


@pytest.mark.slow
def test_every_json_output_is_strict_json(
    scenario: tuple[str, Path, str], files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    name, ws, as_of = scenario
    for args in commands(as_of, files):
        code, out, err = cli(capsys, "-w", str(ws), *args, "--json")
        # Nothing to report (no model yet, no orders before the date) is the user's to fix: a
        # clear message and status 2. Never an internal error (1), never NaN.
        assert code in (0, 2), (args, err)
        if name == "demo":
            assert code == 0, (args, err)
        if code == 0:
            try:
                strict(out)
            except ValueError as exc:
                raise AssertionError(f"{args}: {exc}\n{out[:2000]}") from None
        else:
            assert out == "" and err.startswith("Error: "), (args, err)


#: Words of statuses, bands, states and headers that must not be left in English in zh mode
#: ("customers" and "status" are left out: they are also the names of tables and import kinds,
#: which stay as they are typed).
ENGLISH = re.compile(
    r"\b(active|churned|voided|open|acknowledged|closed|low|medium|high|yes|no|unknown|"
    r"avoidable|unavoidable|rows|table|kind|file|read|loaded|rejected|finished|parameters?|"
    r"param|period|dimension|total|group|days|survival|retention|cohort|reason|severity|"
    r"playbook|evidence|enabled|rule|revenue|share|probability|band|driver|fired|customer|"
    r"numerator|denominator|metric|model|all|integer|part)\b"
)  # fmt: skip
KPI_IDS = re.compile(r"\b(" + "|".join(k.id for k in KPIS) + r")\b")
TABLE_LINE = re.compile(r"[┏┃┡│└]")


@pytest.mark.slow
def test_tables_in_chinese_at_80_columns(
    template: Path,
    files: dict[str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    ws = copy_of(template, tmp_path)
    for args in commands(AS_OF, files):
        code, out, err = cli(capsys, "--lang", "zh", "-w", str(ws), *args)
        assert code == 0, (args, err)
        assert "…" not in out, f"{args}: a cell was cut\n{out}"
        # What one types stays as it is: the KPIs' ids, rules' parameters and evidence (k=v).
        ours = re.sub(r"\w+=[^│\n]*", "", KPI_IDS.sub("", out))
        assert not ENGLISH.findall(ours), f"{args}: {ENGLISH.findall(ours)}\n{out}"
        wide = [
            line for line in out.splitlines() if TABLE_LINE.search(line) and cell_len(line) > 80
        ]
        assert not wide, f"{args}: wider than 80 columns\n" + "\n".join(wide)
        if args == ["metrics", "--list"]:  # every definition whole, however it is wrapped
            flat = re.sub(r"\s+", "", out)
            for k in KPIS:
                assert re.sub(r"\s+", "", k.definition_zh) in flat, k.id


@pytest.mark.slow
def test_the_rules_that_fired_are_counted(
    template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws = copy_of(template, tmp_path)
    code, out, _ = cli(capsys, "-w", str(ws), "alerts", "run", "--as-of", AS_OF, "--json")
    run = strict(out)
    assert isinstance(run, dict) and code == 0
    fired = [rule for rule in run["rules"] if run["fired"].get(rule, 0) > 0]
    assert 0 < len(fired) < len(run["rules"]), "the demo should have a rule that fires nothing"
    code, out, _ = cli(capsys, "--lang", "en", "-w", str(ws), "alerts", "run", "--as-of", AS_OF)
    hits = sum(run["fired"].values())
    assert f"{len(fired)} of {len(run['rules'])} rules fired, {hits:,} hits in all" in out


# --- the shared formatting ----------------------------------------------------------------------


def test_values() -> None:
    assert [fmt.count(27.0), fmt.count(1234567), fmt.count(None)] == ["27", "1,234,567", "—"]
    assert [fmt.amount(18383950.4), fmt.amount(-0.4), fmt.amount(math.nan)] == [
        "18,383,950", "0", "—"]  # fmt: skip
    assert [fmt.pct(0.0222), fmt.pct(1), fmt.pct(math.inf)] == ["2.2%", "100.0%", "—"]
    assert [fmt.number(3.14159), fmt.number(250.5), fmt.number(np.float64("nan"))] == [
        "3.14", "250", "—"]  # fmt: skip
    assert fmt.label("band", "high", "zh") == "高" and fmt.label("band", "odd", "zh") == "odd"


def test_json_is_strict() -> None:
    payload = {"a": math.nan, "b": [np.float64(math.inf), np.int64(3)], "c": dt.date(2026, 1, 2),
               "d": {"e": np.array([1.5, math.nan])}}  # fmt: skip
    assert strict(fmt.dumps(payload)) == {"a": None, "b": [None, 3], "c": "2026-01-02",
                                          "d": {"e": [1.5, None]}}  # fmt: skip


NUMBERS = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False).map(fmt.amount)
WORDS = st.text(alphabet="abc 客户名称", min_size=0, max_size=30)


@settings(max_examples=40, deadline=None)
@given(
    rows=st.lists(st.tuples(WORDS, NUMBERS, NUMBERS, WORDS, NUMBERS), min_size=1, max_size=6),
    width=st.integers(min_value=30, max_value=120),
)
def test_a_table_never_cuts_a_number(rows: list[tuple[str, ...]], width: int) -> None:
    """Whatever the terminal's width and the text beside them, every number is printed whole
    on one line, and nothing is cut with an ellipsis."""
    cols = [fmt.Col("名称"), fmt.Col("revenue lost", "num"), fmt.Col("客户数", "num"),
            fmt.Col("note"), fmt.Col("acquisition cost not paid back", "num")]  # fmt: skip
    printed = io.StringIO()
    with pytest.MonkeyPatch.context() as mp, contextlib.redirect_stdout(printed):
        mp.setenv("COLUMNS", str(width))
        fmt.print_table(cols, [list(r) for r in rows], title="t")
    out = printed.getvalue()
    assert "…" not in out
    for r in rows:
        for number in (r[1], r[2], r[4]):
            assert re.search(rf"(^|[\s│]){re.escape(number)}($|[\s│])", out, re.M), number


def test_cells_are_text_not_markup() -> None:
    """A name in square brackets is printed as it is (rich read "[VIP]" as a style and dropped
    it; a refresh note lost "[notify.channels]")."""
    cols = [fmt.Col("[name]"), fmt.Col("note")]
    printed = io.StringIO()
    with pytest.MonkeyPatch.context() as mp, contextlib.redirect_stdout(printed):
        mp.setenv("COLUMNS", "80")
        fmt.print_table(cols, [["[VIP] 张三", "see [notify.channels] and [bold]x[/bold]"]],
                        title="[t]")  # fmt: skip
    out = printed.getvalue()
    assert "[VIP] 张三" in out and "[notify.channels]" in out and "[bold]x[/bold]" in out
    assert "[name]" in out and "[t]" in out
