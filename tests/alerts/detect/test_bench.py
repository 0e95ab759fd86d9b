"""bench/detect.py end to end on a small synthetic corpus, and its leave-one-file-out fitting
(the full run is `python -m bench.detect`)."""

from __future__ import annotations

from pathlib import Path

from bench.cost import COST_FILES
from bench.cost import main as cost_main
from bench.detect import cost, run, synthetic_series
from bench.lofo import Labelled, cross_validate, fit


def test_bench_reports_every_detector_and_the_naive_baseline() -> None:
    series = [synthetic_series("spike", 30.0, 1, days=7), synthetic_series("drop", 30.0, 1, days=7)]
    report = run(series, jobs=1)
    assert set(report) == {"synthetic_spikes", "synthetic_drops"}
    spikes = report["synthetic_spikes"]
    assert isinstance(spikes, dict)
    assert set(spikes) == {"files", "points", "spike", "drop", "spike+drop", "naive"}
    high = spikes["spike"]["high"]
    assert high["windows"] == 5
    assert high["caught_share"] >= 0.6
    assert high["false_per_1000"] == 0.0
    assert high["median_delay"] <= 1.0
    drops = report["synthetic_drops"]
    assert isinstance(drops, dict)
    assert drops["drop"]["high"]["caught"] >= 2
    assert drops["drop"]["high"]["false_alerts"] == 0


def _files() -> list[Labelled]:
    return [Labelled(f"f{i}", [(500 + 10 * i, 600 + 10 * i)], 2000) for i in range(4)]


def test_fitting_picks_from_the_training_files_only() -> None:
    """Candidate 0 never fires, 1 fires at each window's start, 2 also fires falsely; on file
    f3 only candidate 2 catches the window. The fold that holds f3 out must not pick 2."""
    files = _files()

    def hits(name: str, candidate: int) -> list[int]:
        start = 500 + 10 * int(name[1])
        if candidate == 0:
            return []
        if candidate == 1:
            return [] if name == "f3" else [start]
        return [start, *range(1000, 2000, 100)]  # ten false alerts

    picked = fit([f for f in files if f.name != "f3"], hits, 3)
    assert picked["medium"] == 1
    report = cross_validate(files, hits, ["never", "right", "noisy"])
    medium = report["medium"]
    assert medium["picked"]["f3"] == "right"
    assert medium["folds"]["f3"] == 0.0  # held out, its own best candidate was not chosen
    assert medium["folds"]["f0"] == 100.0
    assert medium["mean"] == 75.0
    assert report["low"]["shipped"] == "never"  # less sensitive than medium
    assert report["high"]["shipped"] == "noisy"  # more sensitive than medium


def test_fixed_levels_are_scored_as_they_are() -> None:
    files = _files()
    report = cross_validate(
        files, lambda name, c: [], ["a", "b", "c"], {"low": 0, "medium": 1, "high": 2}
    )
    assert report["medium"]["shipped"] == "b"
    assert report["medium"]["mean"] == 0.0


def test_eligible_candidates_bound_low_and_medium() -> None:
    files = _files()

    def hits(name: str, candidate: int) -> list[int]:
        return [500 + 10 * int(name[1])] if candidate == 2 else []

    picked = fit(files, hits, 3, eligible=[0, 1])
    assert picked["medium"] in (0, 1)
    assert picked["high"] == 2


def test_cost_reports_cpu_per_step_and_state_bytes() -> None:
    report = cost([synthetic_series("spike", 3.0, 1, days=2)], repeat=3)
    for kind in ("spike", "drop"):
        assert report[kind]["steps"] == 2 * 288
        assert report[kind]["repeat"] == 3
        assert report[kind]["cpu_us_per_step"] > 0
        low, high = report[kind]["cpu_us_per_step_min"], report[kind]["cpu_us_per_step_max"]
        assert low <= report[kind]["cpu_us_per_step"] <= high
        assert 0 < report[kind]["max_state_bytes"] < 4096  # the budget per subject


def test_cost_steps_a_series_for_callgrind_to_count() -> None:
    # What `bench.cost.instructions` runs under valgrind: a few steps of one file, no output.
    path = Path(__file__).resolve().parents[3] / "data/nab/data" / COST_FILES[0]
    assert cost_main(["--steps-only", "drop", "50", str(path)]) == 0
