"""The columnar hit table: the single source of truth every statistic is computed from.

Rows are kept sorted by (time, seq) so a time window is two binary searches. A hit counts as
a click or a view (pixels), and spiders are counted apart from both, as ClickMeter does.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]


@dataclass(slots=True)
class Hits:
    """Parallel columns; one row per hit. -1 means "none" in the index columns."""

    ts: IntArray  # UTC epoch microseconds
    seq: IntArray  # unique, increasing in insertion order
    dp: IntArray  # index into Catalog.datapoints
    visitor: IntArray
    view: BoolArray
    unique: BoolArray
    spider: BoolArray
    referrer: IntArray
    keyword: IntArray
    dest: IntArray
    param: IntArray
    conv: IntArray
    value: FloatArray

    def __len__(self) -> int:
        return len(self.ts)

    @classmethod
    def empty(cls) -> Hits:
        i = np.zeros(0, np.int64)
        b = np.zeros(0, np.bool_)
        return cls(i, i, i, i, b, b, b, i, i, i, i, i, np.zeros(0, np.float64))

    def take(self, order: IntArray) -> Hits:
        return Hits(*(getattr(self, f.name)[order] for f in fields(self)))

    @staticmethod
    def concat(a: Hits, b: Hits) -> Hits:
        return Hits(*(np.concatenate([getattr(a, f.name), getattr(b, f.name)]) for f in fields(a)))


METRICS = (
    "totalClicks",
    "uniqueClicks",
    "totalViews",
    "uniqueViews",
    "spiderHitsCount",
    "convertedClicks",
    "uniqueConversions",
)


class HitStore:
    def __init__(self) -> None:
        self.hits = Hits.empty()
        self._next_seq = 1

    def add(self, batch: Hits) -> None:
        """Append `batch` (its `seq` is assigned here) keeping rows sorted by (ts, seq)."""
        if len(batch) == 0:
            return
        batch.seq = np.arange(self._next_seq, self._next_seq + len(batch), dtype=np.int64)
        self._next_seq += len(batch)
        order = np.argsort(batch.ts, kind="stable")
        batch = batch.take(order)
        if len(self.hits) and batch.ts[0] < self.hits.ts[-1]:
            merged = Hits.concat(self.hits, batch)
            self.hits = merged.take(np.lexsort((merged.seq, merged.ts)))
        else:
            self.hits = Hits.concat(self.hits, batch)

    def discard(self, dp: int, start_us: int, end_us: int) -> int:
        """Remove datapoint `dp`'s hits with start <= ts < end (order is kept). Returns how many."""
        w = self.window(start_us, end_us)
        doomed = np.nonzero(self.hits.dp[w] == dp)[0] + w.start
        if len(doomed):
            keep = np.ones(len(self.hits), np.bool_)
            keep[doomed] = False
            self.hits = self.hits.take(np.nonzero(keep)[0])
        return len(doomed)

    def window(self, start_us: int, end_us: int) -> slice:
        """Rows with start <= ts < end."""
        lo = int(np.searchsorted(self.hits.ts, start_us, side="left"))
        hi = int(np.searchsorted(self.hits.ts, end_us, side="left"))
        return slice(lo, max(lo, hi))

    def select(self, start_us: int, end_us: int, dp_mask: BoolArray | None = None) -> IntArray:
        """Row indices in [start, end) whose datapoint is in `dp_mask` (all when None)."""
        w = self.window(start_us, end_us)
        rows = np.arange(w.start, w.stop, dtype=np.int64)
        if dp_mask is not None:
            rows = rows[dp_mask[self.hits.dp[w]]]
        return rows

    def metric_columns(self, rows: IntArray) -> dict[str, npt.NDArray[np.float64]]:
        """0/1 (or value) columns of each metric over `rows`, ready for sums or bincounts."""
        h = self.hits
        view, unique, spider = h.view[rows], h.unique[rows], h.spider[rows]
        human = ~spider
        click = human & ~view
        converted = click & (h.conv[rows] >= 0)
        return {
            "totalClicks": click.astype(np.float64),
            "uniqueClicks": (click & unique).astype(np.float64),
            "totalViews": (human & view).astype(np.float64),
            "uniqueViews": (human & view & unique).astype(np.float64),
            "spiderHitsCount": spider.astype(np.float64),
            "convertedClicks": converted.astype(np.float64),
            "uniqueConversions": (converted & unique).astype(np.float64),
            "conversionsValue": np.where(converted, h.value[rows], 0.0),
        }

    def totals(self, rows: IntArray) -> dict[str, float | int]:
        cols = self.metric_columns(rows)
        out: dict[str, float | int] = {k: int(v.sum()) for k, v in cols.items() if k in METRICS}
        out["conversionsValue"] = round(float(cols["conversionsValue"].sum()), 2)
        return out

    def totals_by(
        self, rows: IntArray, keys: IntArray, n: int
    ) -> dict[str, npt.NDArray[np.float64]]:
        """Per-key sums of every metric; `keys` (one per row, in 0..n-1) groups the rows."""
        return {
            name: np.bincount(keys, weights=col, minlength=n).astype(np.float64)
            for name, col in self.metric_columns(rows).items()
        }

    def last_ts_by(self, rows: IntArray, keys: IntArray, n: int) -> IntArray:
        """Latest hit time per key (-1 when none)."""
        out = np.full(n, -1, np.int64)
        np.maximum.at(out, keys, self.hits.ts[rows])
        return out
