"""Leave-one-file-out cross-validation of a detector's tuned settings, scored the NAB way.

For each held-out file the settings of every sensitivity are chosen from a fixed list of
candidates by maximising NAB's corpus score on the *other* files only, then the held-out file
is scored with them. `medium` is fit to NAB's standard profile, `low` to its reward-low-FP
profile and `high` to its reward-low-FN profile, with low never more sensitive than medium and
high never less (candidates run from least to most sensitive), and at least one candidate
apart from medium. When `eligible` is given, low and medium may only pick from it (the bench
passes the candidates with no false alert on NAB's series without anomalies: a team's default
must stay silent on steady traffic). What the procedure picks on all files is what ships; the
cross-validated mean is the number to quote.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bench.nab import LOW_FN, LOW_FP, STANDARD, Profile, nab_score, score_file

#: Which NAB profile each sensitivity is fit to.
LEVEL_PROFILES: dict[str, Profile] = {"low": LOW_FP, "medium": STANDARD, "high": LOW_FN}


@dataclass(frozen=True)
class Labelled:
    """A labelled file: its name, anomaly windows (index pairs) and length in points."""

    name: str
    windows: list[tuple[int, int]]
    length: int


Hits = Callable[[str, int], Sequence[int]]


def _score(files: Sequence[Labelled], hits: Hits, candidate: int, profile: Profile) -> float:
    scores = [score_file(hits(f.name, candidate), f.windows, f.length, profile) for f in files]
    value = nab_score(scores)
    return value if value is not None else 0.0


def _best(files: Sequence[Labelled], hits: Hits, allowed: Sequence[int], profile: Profile) -> int:
    # Ties go to the least sensitive candidate (the one listed first).
    return max(allowed, key=lambda c: (_score(files, hits, c, profile), -c))


def fit(
    files: Sequence[Labelled],
    hits: Hits,
    candidates: int,
    fixed: Mapping[str, int] | None = None,
    eligible: Sequence[int] | None = None,
) -> dict[str, int]:
    """The candidate index each sensitivity gets when fit on `files` (or `fixed` ones)."""
    if fixed is not None:
        return dict(fixed)
    quiet = sorted(eligible) if eligible else list(range(candidates))
    medium = _best(files, hits, quiet, STANDARD)
    low = _best(files, hits, [c for c in quiet if c <= medium], LEVEL_PROFILES["low"])
    high = _best(files, hits, range(medium, candidates), LEVEL_PROFILES["high"])
    # The levels must mean something: when a profile agrees with medium, low and high sit one
    # candidate either side of it.
    if low == medium and medium > 0:
        low = medium - 1
    if high == medium and medium < candidates - 1:
        high = medium + 1
    return {"low": low, "medium": medium, "high": high}


def cross_validate(
    files: Sequence[Labelled],
    hits: Hits,
    labels: Sequence[str],
    fixed: Mapping[str, int] | None = None,
    eligible: Sequence[int] | None = None,
) -> dict[str, Any]:
    """Per sensitivity: each held-out file's standard-profile NAB score, their mean and worst,
    the candidate picked per fold, and what is picked on all files (the shipped settings)."""
    picked = {
        f.name: fit([g for g in files if g is not f], hits, len(labels), fixed, eligible)
        for f in files
    }
    shipped = fit(files, hits, len(labels), fixed, eligible)
    report: dict[str, Any] = {}
    for level in ("low", "medium", "high"):
        folds = {}
        for f in files:
            one = score_file(hits(f.name, picked[f.name][level]), f.windows, f.length)
            folds[f.name] = round(nab_score([one]) or 0.0, 1)
        report[level] = {
            "folds": folds,
            "mean": round(statistics.fmean(folds.values()), 1),
            "worst": min(folds.values()),
            "picked": {name: labels[p[level]] for name, p in picked.items()},
            "shipped": labels[shipped[level]],
            "in_sample_score": round(_score(files, hits, shipped[level], STANDARD), 1),
        }
    return report
