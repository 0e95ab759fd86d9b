"""Replay: CSV parsing (offsets, DST, irregular rows, gaps) and the `clickbot replay` command."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from alerts.detect import make_detector, read_series, replay_csv
from cli import app
from tests.alerts.detect._series import poisson_counts


def _write(path: Path, rows: list[tuple[str, str]]) -> Path:
    path.write_text("timestamp,value\n" + "".join(f"{t},{v}\n" for t, v in rows))
    return path


def _spiky_csv(path: Path) -> Path:
    start = datetime(2026, 3, 2)
    counts = poisson_counts(5.0, 2 * 288, seed=31)
    counts[450] += 120
    rows = [
        ((start + timedelta(minutes=5 * i)).strftime("%Y-%m-%d %H:%M:%S"), f"{c:g}")
        for i, c in enumerate(counts)
    ]
    return _write(path, rows)


def test_naive_timestamps_are_utc_and_spacing_is_inferred(tmp_path: Path) -> None:
    path = _write(tmp_path / "s.csv", [("2026-03-02 00:00:00", "1"), ("2026-03-02 00:05:00", "2")])
    obs, nominal = read_series(path)
    assert nominal == 300
    assert obs[0].start == datetime(2026, 3, 2, tzinfo=UTC)
    assert [o.seconds for o in obs] == [300, 300]


def test_dst_offsets_are_regular_real_time(tmp_path: Path) -> None:
    # Europe/Rome springs forward at 02:00 local on 2026-03-29: 01:55+01:00 -> 03:00+02:00.
    rows = [
        ("2026-03-29T01:50:00+01:00", "3"),
        ("2026-03-29T01:55:00+01:00", "4"),
        ("2026-03-29T03:00:00+02:00", "5"),
        ("2026-03-29T03:05:00+02:00", "6"),
    ]
    obs, nominal = read_series(_write(tmp_path / "dst.csv", rows))
    assert nominal == 300
    assert [o.seconds for o in obs] == [300, 300, 300, 300]
    assert obs[2].start - obs[1].start == timedelta(minutes=5)


def test_irregular_rows_gaps_and_bad_values(tmp_path: Path) -> None:
    rows = [
        ("2026-03-02T00:10:00Z", "7"),  # out of order: sorted
        ("2026-03-02T00:00:00Z", "1"),
        ("2026-03-02T00:05:00Z", ""),  # empty value: a gap
        ("2026-03-02T00:07:00Z", "2"),  # irregular: 3 minutes to the next row
        ("2026-03-02T00:00:00Z", "9"),  # duplicate timestamp: first row wins
        ("2026-03-02T01:00:00Z", "nan"),
        ("2026-03-02T02:00:00Z", "-4"),  # negative: clipped to 0
    ]
    obs, nominal = read_series(_write(tmp_path / "odd.csv", rows))
    assert [(o.start.minute, o.count, o.seconds) for o in obs] == [
        (0, 1.0, 300.0),
        (7, 2.0, 180.0),
        (10, 7.0, 300.0),  # the next row is 50 minutes away: a gap, not a long interval
        (0, 0.0, 300.0),
    ]
    assert nominal == 300


def test_bad_header_and_timestamp_raise(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("time,count\n2026-03-02,1\n")
    with pytest.raises(ValueError, match="timestamp,value"):
        read_series(path)
    with pytest.raises(ValueError, match="bad timestamp"):
        read_series(_write(tmp_path / "bad2.csv", [("yesterday", "1")]))


def test_replay_csv_finds_the_spike(tmp_path: Path) -> None:
    result = replay_csv(_spiky_csv(tmp_path / "s.csv"), make_detector("spike", "high"))
    assert [e.fired_index for e in result.episodes] == [450]
    line = result.episodes[0].to_json()
    assert set(line) == {"fired_at", "resolved_at", "kind", "observed", "expected"}
    assert line["fired_at"] == "2026-03-03T13:30:00+00:00"


def test_cli_prints_one_json_line_per_episode(tmp_path: Path) -> None:
    path = _spiky_csv(tmp_path / "s.csv")
    result = CliRunner().invoke(app, ["replay", str(path), "--sensitivity", "high"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert len(lines) == 1
    episode = lines[0]
    assert episode["kind"] == "spike"
    assert episode["fired_at"] <= episode["resolved_at"]
    assert episode["observed"] > 5 * episode["expected"]


def test_cli_threshold_and_drop(tmp_path: Path) -> None:
    path = _spiky_csv(tmp_path / "s.csv")
    result = CliRunner().invoke(
        app, ["replay", str(path), "--detector", "threshold", "--threshold", "100"]
    )
    assert result.exit_code == 0, result.output
    assert [json.loads(line)["kind"] for line in result.output.splitlines()] == ["threshold"]
    result = CliRunner().invoke(app, ["replay", str(path), "--detector", "drop"])
    assert result.exit_code == 0, result.output
    assert result.output == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--detector", "magic"], "--detector"),
        (["--sensitivity", "max"], "--sensitivity"),
        (["--detector", "threshold"], "--threshold"),
    ],
)
def test_cli_rejects_bad_options(tmp_path: Path, args: list[str], message: str) -> None:
    path = _write(tmp_path / "s.csv", [("2026-03-02 00:00:00", "1")])
    result = CliRunner().invoke(app, ["replay", str(path), *args])
    assert result.exit_code == 2
    assert message in result.output


def test_cli_reports_a_missing_file(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["replay", str(tmp_path / "nope.csv")])
    assert result.exit_code == 2
    assert "nope.csv" in result.output
