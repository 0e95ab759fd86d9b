"""The shipped spike+drop detectors scored on real count series they have never seen.

    .venv/bin/python -m bench.unseen [--files NAME ...] [--max-points N] [--jobs 2]
    .venv/bin/python -m bench.unseen --published-from /path/to/NAB  (rebuild published.json)

**Held out: never used to choose anything.** `data/nab_unseen` holds six of NAB's real count
series that are not in `data/nab` (five `realTweets` volumes and an AWS ELB request count). No
constant, threshold, design choice or grid may be fit, picked or checked against them: the
detectors run exactly as shipped (each level's settings as `bench/detect.py` fits them on the
eleven series in `data/nab` only), and this bench only reports. A change tuned while looking at
these numbers makes them worthless; judge changes by `bench/detect.py`'s leave-one-file-out.

Output (JSON): per sensitivity (`low`, `medium`, `high`), the NAB standard-profile score
(`bench.nab`: same convention as `bench/detect.py`) of the union of `spike` and `drop` episodes
(a rule fires on either), per file and over all files; and the published detectors' scores on the
same files (`published`), from `data/nab_unseen/published.json`.

`published.json` is computed, not copied: NAB's released per-point result files
(`results/<detector>/<category>/<detector>_<file>.csv`, column `anomaly_score`) turned into
detections where the score reaches the detector's standard-profile threshold in NAB's
`config/thresholds.json` (NAB's own rule), and scored here with `bench.nab`. The per-point files are
megabytes each, so only the per-file score counts are committed; `--published-from` rebuilds
them from a NAB checkout (a git directory or work tree, read with `git show HEAD:...`).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as `python bench/unseen.py`: make the repo importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from alerts.detect import SENSITIVITIES
from alerts.detect.series import as_utc
from bench.detect import Series, detections, nab_series
from bench.nab import FileScore, load_windows, score_file, summarise, window_indices

DEFAULT_UNSEEN = Path(__file__).resolve().parents[1] / "data" / "nab_unseen"
PUBLISHED_FILE = "published.json"
#: NAB's detector folder names, and the names the README uses for them.
PUBLISHED = {
    "ARTime": "ARTime",
    "numenta": "Numenta HTM",
    "contextOSE": "contextOSE",
    "knncad": "KNN-CAD",
    "windowedGaussian": "windowed Gaussian",
}


def _task(args: tuple[Series, str, str]) -> tuple[str, str, str, list[int]]:
    series, kind, level = args
    return series.name, kind, level, detections(series, kind, level)


def shipped(all_series: Sequence[Series], jobs: int) -> dict[str, Any]:
    """Per level: each file's and the overall standard-profile summary of spike+drop."""
    tasks = [
        (s, kind, level)
        for s in all_series
        for kind in ("spike", "drop")
        for level in SENSITIVITIES
    ]
    if jobs <= 1:
        results = [_task(t) for t in tasks]
    else:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            results = list(pool.map(_task, tasks, chunksize=1))
    found: dict[tuple[str, str], set[int]] = {}
    for name, _, level, hits in results:
        found.setdefault((name, level), set()).update(hits)
    report: dict[str, Any] = {}
    for level in SENSITIVITIES:
        scores = {
            s.name: score_file(sorted(found[(s.name, level)]), s.windows, len(s.observations))
            for s in all_series
        }
        report[level] = {
            "overall": summarise(list(scores.values())),
            "files": {name: summarise([score]) for name, score in scores.items()},
        }
    return report


def published(root: Path, names: Sequence[str]) -> dict[str, Any]:
    """The published detectors' summaries on `names`, from the committed per-file counts."""
    raw = json.loads((root / PUBLISHED_FILE).read_text(encoding="utf-8"))
    out: dict[str, Any] = {}
    for detector, label in PUBLISHED.items():
        per_file = raw["detectors"][detector]["files"]
        scores = {name: file_score(per_file[name]) for name in names}
        out[label] = {
            "threshold": raw["detectors"][detector]["threshold"],
            "overall": summarise(list(scores.values())),
            "files": {name: summarise([score]) for name, score in scores.items()},
        }
    return out


def file_score(raw: dict[str, Any]) -> FileScore:
    return FileScore(**{**raw, "delays": tuple(raw["delays"])})


# --- rebuilding published.json from a NAB checkout ---------------------------------------------


def _git(nab: Path, *args: str) -> str:
    done = subprocess.run(  # noqa: S603 - git on a checkout the caller names
        [shutil.which("git") or "git", "-C", str(nab), *args],
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout


def _git_show(nab: Path, path: str) -> str:
    return _git(nab, "show", f"HEAD:{path}")


def build_published(nab: Path, root: Path) -> dict[str, Any]:
    """Score each published detector's released results on the files in `root/windows.json`."""
    windows = load_windows(root / "windows.json")
    thresholds = json.loads(_git_show(nab, "config/thresholds.json"))
    commit = _git(nab, "rev-parse", "HEAD").strip()
    detectors: dict[str, Any] = {}
    for detector in PUBLISHED:
        threshold = float(thresholds[detector]["standard"]["threshold"])
        files = {}
        for name, spans in sorted(windows.items()):
            category, file = name.split("/")
            text = _git_show(nab, f"results/{detector}/{category}/{detector}_{file}")
            rows = list(csv.DictReader(io.StringIO(text)))
            times = [as_utc(datetime.fromisoformat(r["timestamp"])) for r in rows]
            hits = [i for i, r in enumerate(rows) if float(r["anomaly_score"]) >= threshold]
            score = score_file(hits, window_indices(times, spans), len(rows))
            files[name] = {**asdict(score), "delays": list(score.delays)}
        detectors[detector] = {"threshold": threshold, "files": files}
    return {
        "how": (
            "NAB results/<detector>/<category>/<detector>_<file>.csv at the commit below: a "
            "detection is every row whose anomaly_score >= the detector's standard-profile "
            "threshold in config/thresholds.json; scored by bench/nab.py's score_file against "
            "data/nab_unseen/windows.json (NAB's labels/combined_windows.json)."
        ),
        "nab_commit": commit,
        "detectors": detectors,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--unseen", type=Path, default=DEFAULT_UNSEEN, help="held-out folder")
    parser.add_argument("--files", nargs="*", default=None, help="only these (file name or path)")
    parser.add_argument("--max-points", type=int, default=None, help="truncate each file")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--published-from", type=Path, default=None, help="a NAB git checkout")
    args = parser.parse_args(argv)
    root = args.unseen.resolve()
    if args.published_from is not None:
        built = build_published(args.published_from, root)
        (root / PUBLISHED_FILE).write_text(json.dumps(built, indent=1) + "\n", encoding="utf-8")
    began = time.monotonic()
    all_series = nab_series(root, args.max_points)
    if args.files:
        all_series = [s for s in all_series if any(s.name.endswith(f) for f in args.files)]
        if not all_series:
            parser.error(f"no file of {root} matches {args.files}")
    report: dict[str, Any] = {
        "held_out": "never used to choose anything; the detectors run as shipped",
        "files": [s.name for s in all_series],
        "points": sum(len(s.observations) for s in all_series),
        "spike+drop": shipped(all_series, args.jobs),
    }
    # Published scores are of whole files: a truncated run has nothing to compare them with.
    if args.max_points is None:
        report["published"] = published(root, [s.name for s in all_series])
    report["seconds"] = round(time.monotonic() - began, 1)
    json.dump(report, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
