"""What a detector step costs per subject: CPU per step and the largest stored state.

    .venv/bin/python -m bench.cost [--nab DIR] [--repeat 5] [--instructions]

Each step goes through a JSON round trip of the state, as a poll cycle stores it between
cycles. CPU time is the process's own (`time.process_time`), so other processes do not count,
but on a loaded machine cache misses and frequency changes still do: the series are stepped
`--repeat` times and the median per-step time is the number to quote (with the fastest and
slowest repetition beside it). `--instructions` also counts instructions per step under
valgrind's callgrind (when installed): a count that load does not move, taken as the difference
between two runs of different lengths so start-up and imports cancel out.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as `python bench/cost.py`: make the repo importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from alerts.detect import make_detector, read_series, state_size
from alerts.detect.series import Observation

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_NAB = ROOT / "data" / "nab"
#: The series `bench/detect.py` measures cost on: busy tweets and bursty disk writes.
COST_FILES = (
    "realTweets/Twitter_volume_AAPL.csv",
    "realAWSCloudwatch/ec2_disk_write_bytes_1ef3de.csv",
)
KINDS = ("spike", "drop")
#: The two run lengths whose instruction counts are subtracted (the first 1,000 steps of a
#: series include the warm-up day, which takes a cheaper path).
INSTRUCTION_STEPS = (1000, 3000)


def _step_through(kind: str, observations: Sequence[Observation]) -> None:
    detector = make_detector(kind, "medium")
    state = detector.new_state()
    for obs in observations:
        state, _ = detector.step(json.loads(json.dumps(state)), obs)


def cost(all_series: Sequence[Sequence[Observation]], repeat: int = 5) -> dict[str, Any]:
    """Per kind: `steps` per repetition, `cpu_us_per_step` (the median over `repeat`
    repetitions; `cpu_us_per_step_min`/`_max` beside it) and `max_state_bytes`."""
    out: dict[str, Any] = {}
    for kind in KINDS:
        detector = make_detector(kind, "medium")
        steps = sum(len(s) for s in all_series)
        largest = 0
        per_step: list[float] = []
        for rep in range(max(1, repeat)):
            seconds = 0.0
            for series in all_series:
                state = detector.new_state()
                began = time.process_time()
                for i, obs in enumerate(series):
                    state, _ = detector.step(json.loads(json.dumps(state)), obs)
                    if rep == 0 and i % 97 == 0:  # sizes once, off the clock
                        seconds += time.process_time() - began
                        largest = max(largest, state_size(state))
                        began = time.process_time()
                seconds += time.process_time() - began
                largest = max(largest, state_size(state))
            per_step.append(1e6 * seconds / steps if steps else 0.0)
        out[kind] = {
            "steps": steps,
            "repeat": len(per_step),
            "cpu_us_per_step": round(statistics.median(per_step), 1) if steps else None,
            "cpu_us_per_step_min": round(min(per_step), 1) if steps else None,
            "cpu_us_per_step_max": round(max(per_step), 1) if steps else None,
            "max_state_bytes": largest,
        }
    return out


def instructions(path: Path, kind: str) -> int | None:
    """Instructions per step under callgrind over `path` (None without valgrind or when the
    series is shorter than the longer run)."""
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        return None
    counts = []
    for steps in INSTRUCTION_STEPS:
        with tempfile.TemporaryDirectory() as tmp:
            done = subprocess.run(  # noqa: S603 - valgrind on this module
                [
                    valgrind,
                    "--tool=callgrind",
                    f"--callgrind-out-file={tmp}/out",
                    sys.executable,
                    "-m",
                    "bench.cost",
                    "--steps-only",
                    kind,
                    str(steps),
                    str(path),
                ],
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=False,
            )
        found = re.search(r"Collected : (\d+)", done.stderr)
        if done.returncode != 0 or found is None:
            return None
        counts.append(int(found.group(1)))
    return round((counts[1] - counts[0]) / (INSTRUCTION_STEPS[1] - INSTRUCTION_STEPS[0]))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--nab", type=Path, default=DEFAULT_NAB, help="NAB subset folder")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--instructions", action="store_true", help="count under callgrind")
    # Internal: what `instructions` runs under valgrind.
    parser.add_argument("--steps-only", nargs=3, metavar=("KIND", "STEPS", "FILE"))
    args = parser.parse_args(argv)
    if args.steps_only:
        kind, steps, file = args.steps_only
        observations, _ = read_series(file)
        _step_through(kind, observations[: int(steps)])
        return 0
    paths = [args.nab.resolve() / "data" / name for name in COST_FILES]
    report = cost([read_series(p)[0] for p in paths], args.repeat)
    if args.instructions:
        for kind in KINDS:
            report[kind]["instructions_per_step"] = instructions(paths[0], kind)
        report["instructions_series"] = COST_FILES[0]
    json.dump(report, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
