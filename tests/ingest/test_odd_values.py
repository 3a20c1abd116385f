"""Odd values are rejected row by row with a reason, never loaded as inf/NaN or a wrong date,
and never refuse the whole file; times with a UTC offset land in the workspace's time zone.
Each test runs on DuckDB and PostgreSQL (the ``workspace`` fixture)."""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
from pathlib import Path

import pytest
from ingest_support import TODAY, write

from keepwise import Workspace
from keepwise._core import clock
from keepwise._core.config import CONFIG_FILE, parse_config
from keepwise._core.errors import ConfigError
from keepwise.ingest.importer import ImportResult


def reasons(result: ImportResult) -> dict[str, tuple[str, str]]:
    """{line: (column, reason)} of the rejects file."""
    assert result.rejects_file is not None
    text = Path(result.rejects_file).read_text(encoding="utf-8-sig")
    return {r["line"]: (r["column"], r["reason"]) for r in csv.DictReader(text.splitlines())}


def with_customers(ws: Workspace, tmp_path: Path) -> None:
    ws.imports.load("customers", write(tmp_path / "c.csv", "customer_id\nC1\nC2\n"), today=TODAY)


def test_usage_without_a_feature_column(workspace: Workspace, tmp_path: Path) -> None:
    with_customers(workspace, tmp_path)
    path = write(tmp_path / "u.csv", "customer_id,day,visits\nC1,2024-01-01,3\nC1,2024-01-02,4\n"
                 "C1,2024-01-02,5\n")  # fmt: skip
    result = workspace.imports.load("usage", path, today=TODAY)
    assert (result.rows_loaded, result.rows_rejected) == (2, 1)
    assert (
        reasons(result)["4"][1] == "duplicate id C1/2024-01-02/ in the file (first seen on line 3)"
    )
    frame = workspace.store.table("usage").order_by("day").execute()
    assert frame["feature"].tolist() == ["", ""] and frame["visits"].tolist() == [3, 4]


def test_usage_with_empty_features(workspace: Workspace, tmp_path: Path) -> None:
    with_customers(workspace, tmp_path)
    path = write(tmp_path / "u.csv", "customer_id,day,feature,visits\nC1,2024-01-01,,3\n"
                 "C1,2024-01-01,reports,1\n")  # fmt: skip
    assert workspace.imports.load("usage", path, today=TODAY).rows_loaded == 2
    again = write(tmp_path / "u2.csv", "customer_id,day,visits\nC1,2024-01-01,7\n")
    result = workspace.imports.load("usage", again, today=TODAY)
    assert (result.rows_inserted, result.rows_updated) == (0, 1)  # the same (customer, day, "")
    frame = workspace.store.table("usage").order_by("feature").execute()
    assert frame["feature"].tolist() == ["", "reports"] and frame["visits"].tolist() == [7, 1]


def test_one_bad_whole_number_rejects_its_row_only(workspace: Workspace, tmp_path: Path) -> None:
    with_customers(workspace, tmp_path)
    usage = write(tmp_path / "u.csv", "customer_id,day,visits\nC1,2024-01-01,1e20\n"
                  "C1,2024-01-02,inf\nC1,2024-01-03,nan\nC1,2024-01-04,2\n")  # fmt: skip
    result = workspace.imports.load("usage", usage, today=TODAY)
    assert (result.rows_loaded, result.rows_rejected) == (1, 3)
    assert reasons(result) == {
        "2": ("visits", "outside the range 0-1e+09: 1e20"),
        "3": ("visits", "not a finite number: inf"),
        "4": ("visits", "not a finite number: nan"),
    }
    surveys = write(tmp_path / "s.csv", "survey_id,customer_id,answered_at,csat\n"
                    "S1,C1,2024-01-01,1e20\nS2,C1,2024-01-01,-inf\nS3,C1,2024-01-01,4\n")  # fmt: skip
    result = workspace.imports.load("surveys", surveys, today=TODAY)
    assert (result.rows_loaded, result.rows_rejected) == (1, 2)
    assert reasons(result) == {
        "2": ("csat", "outside the range 1-5: 1e20"),
        "3": ("csat", "not a finite number: -inf"),
    }


def test_whole_numbers_beyond_64_bits_are_too_large(tmp_path: Path) -> None:
    """A whole-number column without a range (none in the contract today) still never fails."""
    import pyarrow as pa

    from keepwise.ingest.contract import Column, Kind
    from keepwise.ingest.mapping import Mapping
    from keepwise.ingest.validate import validate

    kind = Kind("k", "k", (Column("id", "id", required=True), Column("n", "int")), key=("id",))
    source = pa.table({"id": ["a", "b"], "n": ["1e20", "12"], "_line": [2, 3]})
    checked = validate(source, kind, Mapping(), today=TODAY, references={}, reasons={})
    assert checked.accepted.column("n").to_pylist() == [12]
    assert checked.rejected.column("errors").to_pylist() == [["n|too_large|1e20"]]


@pytest.mark.parametrize("text", ["1e309", "inf", "Infinity", "-inf", "nan", "NaN"])
def test_non_finite_amounts_are_rejected(workspace: Workspace, tmp_path: Path, text: str) -> None:
    with_customers(workspace, tmp_path)
    path = write(tmp_path / "o.csv", f"order_id,customer_id,ordered_at,amount\n"
                 f"O1,C1,2024-01-01,{text}\nO2,C1,2024-01-01,5\n")  # fmt: skip
    result = workspace.imports.load("orders", path, today=TODAY)
    assert (result.rows_loaded, result.rows_rejected) == (1, 1)
    assert reasons(result) == {"2": ("amount", f"not a finite number: {text}")}
    amounts = workspace.store.table("orders").amount.execute().tolist()
    assert amounts == [5.0] and all(math.isfinite(a) for a in amounts)


@pytest.mark.parametrize("word", ["epoch", "infinity", "-infinity"])
def test_words_are_not_dates(workspace: Workspace, tmp_path: Path, word: str) -> None:
    path = write(tmp_path / "c.csv", f"customer_id,acquired_at,contract_end\nC1,{word},\n"
                 f"C2,2024-01-01,{word}\n")  # fmt: skip
    result = workspace.imports.load("customers", path, today=TODAY)
    assert (result.rows_loaded, result.rows_rejected) == (0, 2)
    assert reasons(result) == {
        "2": ("acquired_at", f"not a date: {word}"),
        "3": ("contract_end", f"not a date: {word}"),
    }


OFFSETS = {  # the same instant, 2024-01-05 05:45:10 UTC, written in several ways
    "2024-01-05 13:45:10+08": dt.datetime(2024, 1, 5, 13, 45, 10),
    "2024-01-05 13:45:10+0800": dt.datetime(2024, 1, 5, 13, 45, 10),
    "2024-01-05T13:45:10+08:00": dt.datetime(2024, 1, 5, 13, 45, 10),
    "2024-01-05T05:45:10Z": dt.datetime(2024, 1, 5, 13, 45, 10),
    "2024/1/5 0:45:10-05:00": dt.datetime(2024, 1, 5, 13, 45, 10),
    "2024-01-05 11:15:10+05:30": dt.datetime(2024, 1, 5, 13, 45, 10),
    "2024-01-05 13:45:10": dt.datetime(2024, 1, 5, 13, 45, 10),  # local: kept as it is
}


def import_times(ws: Workspace, tmp_path: Path, texts: list[str]) -> list[dt.datetime]:
    body = "".join(f"C{i},{text}\n" for i, text in enumerate(texts))
    path = write(tmp_path / "t.csv", f"customer_id,acquired_at\n{body}")
    result = ws.imports.load("customers", path, today=TODAY)
    assert result.rows_rejected == 0
    frame = ws.store.table("customers").order_by("customer_id").execute()
    return [ts.to_pydatetime() for ts in frame["acquired_at"]]


def test_offsets_convert_to_the_default_time_zone(workspace: Workspace, tmp_path: Path) -> None:
    assert workspace.config.timezone == "Asia/Shanghai"
    assert import_times(workspace, tmp_path, list(OFFSETS)) == list(OFFSETS.values())


def test_offsets_convert_to_the_configured_time_zone(workspace: Workspace, tmp_path: Path) -> None:
    config = workspace.path / CONFIG_FILE
    text = config.read_text(encoding="utf-8")
    assert 'timezone = "Asia/Shanghai"' in text  # keepwise init writes the setting
    config.write_text(text.replace('"Asia/Shanghai"', '"Europe/Berlin"'), encoding="utf-8")
    workspace.close()
    ws = Workspace.open(workspace.path)
    try:
        # Berlin is UTC+1 in January and UTC+2 in July; a local time stays as written.
        got = import_times(ws, tmp_path, ["2024-01-05T05:45:10Z", "2024-07-05 13:45:10+08",
                                          "2024-01-05 13:45:10"])  # fmt: skip
    finally:
        ws.close()
    assert got == [dt.datetime(2024, 1, 5, 6, 45, 10), dt.datetime(2024, 7, 5, 7, 45, 10),
                   dt.datetime(2024, 1, 5, 13, 45, 10)]  # fmt: skip


def test_impossible_offsets_are_not_dates(ws: Workspace, tmp_path: Path) -> None:
    path = write(tmp_path / "t.csv", "customer_id,acquired_at\nC1,2024-01-05 13:45:10+25\n"
                 "C2,2024-01-05 13:45:10+08:75\n")  # fmt: skip
    result = ws.imports.load("customers", path, today=TODAY)
    assert result.rows_rejected == 2
    assert {r[1] for r in reasons(result).values()} == {
        "not a date: 2024-01-05 13:45:10+25",
        "not a date: 2024-01-05 13:45:10+08:75",
    }


def test_an_offset_can_move_a_time_into_the_future(ws: Workspace, tmp_path: Path) -> None:
    """The future check applies to the converted time: 20:00 UTC on the import day is the next
    morning in Shanghai."""
    path = write(tmp_path / "t.csv", "customer_id,acquired_at\nC1,2026-11-25T20:00:00Z\n")
    result = ws.imports.load("customers", path, today=TODAY)
    assert reasons(result) == {
        "2": ("acquired_at", "date in the future (after 2026-11-25): 2026-11-25T20:00:00Z")
    }


@pytest.mark.parametrize("zone", ["Mars/Olympus", "", "../../etc/passwd", "localtime", 8])
def test_an_unknown_time_zone_is_a_config_error(zone: object) -> None:
    with pytest.raises(ConfigError) as err:
        parse_config({"workspace": {"timezone": zone}})
    assert "workspace.timezone" in err.value.message("en")
    assert "workspace.timezone" in err.value.message("zh")


def test_time_zone_setting_is_read() -> None:
    assert parse_config({}).timezone == "Asia/Shanghai"
    assert parse_config({"workspace": {"timezone": "UTC"}}).timezone == "UTC"


def test_parquet_timestamps_with_a_zone_are_converted(ws: Workspace, tmp_path: Path) -> None:
    import pandas as pd

    pd.DataFrame({
        "customer_id": ["C1", "C2"],
        "acquired_at": pd.to_datetime(["2024-01-05 05:45:10.5", "2024-07-01 00:00:00.0"])
        .tz_localize("UTC"),
        "contract_end": pd.to_datetime(["2024-01-05 23:00", "2024-07-01 01:00"])
        .tz_localize("America/New_York"),  # 04:00 UTC on 6 Jan, 05:00 UTC on 1 Jul
        "birthday": pd.to_datetime(["1990-01-01", "1991-02-03"]),  # naive: kept
    }).to_parquet(tmp_path / "c.parquet")  # fmt: skip
    assert ws.imports.load("customers", tmp_path / "c.parquet", today=TODAY).rows_loaded == 2
    frame = ws.store.table("customers").order_by("customer_id").execute()
    assert [t.to_pydatetime() for t in frame["acquired_at"]] == [
        dt.datetime(2024, 1, 5, 13, 45, 10, 500000),
        dt.datetime(2024, 7, 1, 8, 0),
    ]
    assert [t.date() for t in frame["contract_end"]] == [dt.date(2024, 1, 6), dt.date(2024, 7, 1)]
    assert [t.date() for t in frame["birthday"]] == [dt.date(1990, 1, 1), dt.date(1991, 2, 3)]


def test_an_import_dates_today_in_the_workspace_zone(
    workspace: Workspace, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """Half past midnight in Shanghai is still yesterday on a server kept in UTC: an order
    placed ten minutes ago is today's, not "in the future" (the command line, the API's
    upload and the refresh all date an import by the workspace's zone)."""
    from cli_support import run

    local_now = dt.datetime(2026, 12, 7, 0, 30)
    monkeypatch.setattr(clock, "now_in", lambda zone: local_now)
    monkeypatch.setattr(clock, "today", lambda: dt.date(2026, 12, 6))  # the server's (UTC)
    write(tmp_path / "c.csv", "customer_id,acquired_at\nC1,2026-01-05\n")
    orders = write(tmp_path / "o.csv",
                   "order_id,customer_id,ordered_at,amount\nO1,C1,2026-12-07 00:20,10\n")  # fmt: skip
    assert run(workspace, capsys, "import", "customers", str(tmp_path / "c.csv"))[0] == 0
    code, out, err = run(workspace, capsys, "import", "orders", str(orders), "--json")
    assert code == 0, err
    counts = json.loads(out)
    assert (counts["rows_loaded"], counts["rows_rejected"]) == (1, 0), counts
