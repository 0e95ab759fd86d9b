"""The digest's picture: clicks per day as bars, weekends shaded, the last day highlighted.

Drawn with matplotlib's object API on an Agg canvas (no pyplot, no display, no global figure
state), so it renders headless and from any thread; a render takes about 0.1 s, so async code
should call it through `asyncio.to_thread`. The PNG carries no timestamp or software tag:
the same input gives the same bytes.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from alerts.digests.content import DigestContent
from messages import days_label

if TYPE_CHECKING:
    from matplotlib.text import Text

WIDTH_PX, HEIGHT_PX, DPI = 800, 360, 100
#: Where the bars are drawn: (left, bottom, width, height) as fractions of the figure.
AXES = (0.085, 0.17, 0.895, 0.7)

BAR = "#9fb7d6"
LAST_BAR = "#1d64c8"
WEEKEND = "#eef1f5"
GRID = "#dde2e8"
TEXT = "#2d333b"
MUTED = "#6b7682"
FONT = "DejaVu Sans"  # bundled with matplotlib: the same glyphs (and bytes) everywhere


def _thousands(value: float, _position: object = None) -> str:
    return f"{value:,.0f}"


def _axis_label(value: float, _position: object = None) -> str:
    """`150,000` up to a million, then `1.5M` / `30M` / `2B`, so labels fit the margin."""
    for size, suffix in ((1e9, "B"), (1e6, "M")):
        if abs(value) >= size:
            return f"{value / size:,.1f}".removesuffix(".0") + suffix
    return _thousands(value)


def _day_label(day: date, previous: date | None) -> str:
    # The month only where it changes (and on the first day), so 14 labels stay readable.
    month = f"{day:%b} " if previous is None or previous.month != day.month else ""
    return f"{day:%a}\n{month}{day.day}"


def _fit_title(heading: Text, title: str) -> None:
    """Cut the title with "…" until it fits in the picture's width."""
    room = WIDTH_PX * (1 - AXES[0]) - 12
    text = title
    while len(text) > 1 and heading.get_window_extent().width > room:
        text = text[: max(len(text) - 4, 1)].rstrip()
        heading.set_text(text + "…")


def render_clicks_chart(days: Sequence[date], clicks: Sequence[int], *, title: str) -> bytes:
    """A PNG (800x360) of `clicks` per day of `days` (consecutive days, oldest first).

    Raises ValueError if the two lengths differ or there is no day at all.
    """
    if len(days) != len(clicks):
        raise ValueError(f"{len(days)} days but {len(clicks)} click counts")
    if not days:
        raise ValueError("a chart needs at least one day")
    with warnings.catch_warnings():
        # A name in a script DejaVu lacks draws as boxes; that is no reason to log a warning.
        warnings.filterwarnings("ignore", message="Glyph .* missing from font")
        return _draw(days, clicks, title)


def _draw(days: Sequence[date], clicks: Sequence[int], title: str) -> bytes:
    # Imported here: matplotlib takes a second and tens of MB to load, and only the worker
    # draws charts (the web process imports this module for the digest's other parts).
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI, facecolor="white")
    FigureCanvasAgg(figure)
    axes = figure.add_axes(AXES)
    positions = list(range(len(days)))
    peak = max(max(clicks), 0)

    for x, day in zip(positions, days, strict=True):
        if day.weekday() >= 5:
            axes.axvspan(x - 0.5, x + 0.5, color=WEEKEND, zorder=0, linewidth=0)
    colours = [BAR] * (len(days) - 1) + [LAST_BAR]
    axes.bar(positions, clicks, width=0.72, color=colours, zorder=2, linewidth=0)
    last_label = _thousands(clicks[-1])
    wide = len(last_label) > 7  # centred, a long number would run off the picture
    axes.annotate(
        last_label,
        (positions[-1] + (0.36 if wide else 0), clicks[-1]),
        xytext=(0, 4),
        textcoords="offset points",
        ha="right" if wide else "center",
        va="bottom",
        fontsize=9,
        fontweight="bold",
        color=LAST_BAR,
        family=FONT,
    )

    axes.set_xlim(-0.5, len(days) - 0.5)
    axes.set_ylim(0, peak * 1.15 if peak > 0 else 1)
    axes.set_xticks(positions)
    axes.set_xticklabels(
        [_day_label(d, days[i - 1] if i else None) for i, d in enumerate(days)],
        fontsize=8,
        color=MUTED,
        family=FONT,
    )
    axes.yaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
    axes.yaxis.set_major_formatter(FuncFormatter(_axis_label))
    axes.tick_params(axis="y", labelsize=8, labelcolor=MUTED, length=0)
    axes.tick_params(axis="x", length=0, pad=4)
    for label in axes.get_yticklabels():
        label.set_fontfamily(FONT)
    axes.grid(axis="y", color=GRID, linewidth=0.8, zorder=1)
    axes.set_axisbelow(True)
    for side in ("top", "right", "left"):
        axes.spines[side].set_visible(False)
    axes.spines["bottom"].set_color(GRID)
    if peak <= 0:
        axes.text(
            0.5, 0.5, "No clicks", transform=axes.transAxes, ha="center", va="center",
            fontsize=11, color=MUTED, family=FONT,
        )  # fmt: skip
    heading = figure.text(
        AXES[0], 0.93, title, fontsize=12, fontweight="bold", color=TEXT, family=FONT, va="center"
    )
    _fit_title(heading, title)

    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=DPI, metadata={"Software": None})
    return out.getvalue()


def chart_title(content: DigestContent) -> str:
    """`Clicks per day · Mar 4 - Mar 17, 2026` (en dash), and the scope if not the account."""
    days = [d.day for d in content.series] or [content.first, content.last]
    first, last = days[0], days[-1]
    text = f"Clicks per day · {days_label(first, last)}"
    return text if content.scope == "the account" else f"{text} · {content.scope}"


def chart_filename(content: DigestContent) -> str:
    """`clicks-2026-03-17.png`: a name for the uploaded file."""
    return f"clicks-{content.last:%Y-%m-%d}.png"


def render_digest_chart(content: DigestContent) -> bytes:
    """The digest's chart: its 14 days of clicks, the last one highlighted."""
    return render_clicks_chart(
        [d.day for d in content.series],
        [d.clicks for d in content.series],
        title=chart_title(content),
    )
