"""bench/detect.py end to end on a small synthetic corpus (the full run is `python -m
bench.detect`)."""

from __future__ import annotations

from bench.detect import run, synthetic_series


def test_bench_reports_every_detector_and_the_naive_baseline() -> None:
    series = [synthetic_series("spike", 30.0, 1, days=3), synthetic_series("drop", 30.0, 1, days=3)]
    report = run(series, jobs=1)
    assert set(report) == {"synthetic_spikes", "synthetic_drops"}
    spikes = report["synthetic_spikes"]
    assert isinstance(spikes, dict)
    assert set(spikes) == {"files", "points", "spike", "drop", "spike+drop", "naive"}
    medium = spikes["spike"]["medium"]
    assert medium["windows"] == 5
    assert medium["caught_share"] >= 0.8
    assert medium["false_per_1000"] == 0.0
    assert medium["median_delay"] <= 1.0
    drops = report["synthetic_drops"]
    assert isinstance(drops, dict)
    assert drops["drop"]["high"]["caught"] == drops["drop"]["high"]["windows"] == 3
