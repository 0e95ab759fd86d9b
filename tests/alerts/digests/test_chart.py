"""The chart: a real PNG of the right size, showing the series it was given, byte-stable."""

from __future__ import annotations

import io
from datetime import date, timedelta
from functools import cache

import numpy as np
import pytest
from numpy.typing import NDArray
from PIL import Image

from alerts.digests.chart import (
    AXES,
    BAR,
    HEIGHT_PX,
    LAST_BAR,
    WEEKEND,
    WIDTH_PX,
    _axis_label,
    render_clicks_chart,
)

START = date(2026, 3, 4)  # a Wednesday: the 14 days hold two weekends
DAYS = [START + timedelta(days=i) for i in range(14)]
SERIES = [1540, 1312, 1224, 761, 684, 1381, 1499, 1441, 1313, 1321, 785, 765, 1491, 1574]


def pixels(png: bytes) -> NDArray[np.int16]:
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    assert image.size == (WIDTH_PX, HEIGHT_PX)
    return np.asarray(image.convert("RGB"), dtype=np.int16)


def rgb(colour: str) -> NDArray[np.int16]:
    return np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)], dtype=np.int16)


def near(image: NDArray[np.int16], colour: str, tolerance: int = 6) -> NDArray[np.bool_]:
    distance: NDArray[np.int16] = np.abs(image - rgb(colour)).max(axis=2)
    return distance <= tolerance


def column_x(index: int, count: int) -> int:
    """The pixel column through the middle of bar `index` of `count`."""
    left, width = AXES[0] * WIDTH_PX, AXES[2] * WIDTH_PX
    return round(left + (index + 0.5) * width / count)


def bar_heights(image: NDArray[np.int16], count: int) -> list[int]:
    """Pixels of bar colour (either) in the column through each bar."""
    bars = near(image, BAR) | near(image, LAST_BAR)
    return [int(bars[:, column_x(i, count)].sum()) for i in range(count)]


@cache
def _render(clicks: tuple[int, ...], title: str) -> bytes:
    return render_clicks_chart(DAYS[: len(clicks)], clicks, title=title)


def render(clicks: list[int], title: str = "Clicks per day") -> bytes:
    """Each distinct chart drawn once per run (the bytes are immutable)."""
    return _render(tuple(clicks), title)


def test_png_decodes_at_the_right_size_and_is_not_blank() -> None:
    image = pixels(render(SERIES))
    assert image.std() > 20
    codes = (image[..., 0].astype(np.int32) << 16) | (image[..., 1] << 8) | image[..., 2]
    assert len(np.unique(codes)) > 20
    assert near(image, BAR).sum() > 10_000
    assert near(image, LAST_BAR).sum() > 1_000


def test_bars_are_as_tall_as_their_clicks() -> None:
    image = pixels(render(SERIES))
    heights = bar_heights(image, len(SERIES))
    assert min(heights) > 0
    tallest = max(heights)
    for height, clicks in zip(heights, SERIES, strict=True):
        # The y-axis starts at 0 and is linear: heights are proportional to clicks.
        assert abs(height / tallest - clicks / max(SERIES)) < 0.02


def test_the_last_day_is_highlighted() -> None:
    image = pixels(render(SERIES))
    highlighted = near(image, LAST_BAR)
    last = column_x(len(SERIES) - 1, len(SERIES))
    assert highlighted[:, last].sum() > 50
    # Nowhere else is a bar in the highlight colour (bar columns other than the last).
    for i in range(len(SERIES) - 1):
        assert highlighted[:, column_x(i, len(SERIES))].sum() == 0


def test_one_huge_day_makes_the_tallest_column() -> None:
    huge_last = [100] * 13 + [5000]
    heights = bar_heights(pixels(render(huge_last)), 14)
    assert heights.index(max(heights)) == 13
    assert heights[13] > 10 * heights[0]
    huge_middle = [100] * 14
    huge_middle[6] = 5000
    heights = bar_heights(pixels(render(huge_middle)), 14)
    assert heights.index(max(heights)) == 6
    assert heights[13] < heights[6] / 10


def test_weekends_are_shaded() -> None:
    image = pixels(render([10] * 14))
    shade = near(image, WEEKEND, tolerance=2)
    top = round((1 - AXES[1] - AXES[3]) * HEIGHT_PX) + 5  # just under the axes' top edge
    for i, day in enumerate(DAYS):
        assert bool(shade[top, column_x(i, 14)]) == (day.weekday() >= 5), day


def test_different_series_give_different_images() -> None:
    assert render(SERIES) != render(SERIES[::-1])
    assert render(SERIES) != render([c + 100 for c in SERIES])


def test_identical_input_gives_identical_bytes_without_metadata() -> None:
    title = "Clicks · Mar 4 – Mar 17, 2026"
    first = render_clicks_chart(DAYS, SERIES, title=title)
    assert first == render_clicks_chart(DAYS, SERIES, title=title)
    assert b"tIME" not in first  # no modification time chunk
    assert b"matplotlib" not in first.lower()  # no Software tag
    assert first.startswith(b"\x89PNG\r\n\x1a\n")


def test_quiet_days_and_short_series_still_draw() -> None:
    quiet = pixels(render([0] * 14))
    assert quiet.std() > 5  # axes, labels, the "No clicks" note
    one = pixels(render([42]))
    assert near(one, LAST_BAR).sum() > 1_000
    # Names in scripts the font lacks draw as boxes, without failing.
    assert pixels(render(SERIES, "Clicks · 数据 · 🚀")).std() > 20


def test_big_numbers_and_long_titles_stay_inside_the_picture() -> None:
    big = [15_400_000 + 100_000 * i for i in range(13)] + [1_234_567_890]
    image = pixels(render(big, "Clicks per day · " + "a very long group name " * 10))
    white = np.all(image == 255, axis=2)
    assert white[:, -4:].all()  # the title and the last day's number are cut or moved in
    assert white[:, :2].all()
    assert near(image, LAST_BAR).sum() > 1_000
    assert [_axis_label(v) for v in (0, 999_999, 1_500_000, 30_000_000, 2e9)] == [
        "0",
        "999,999",
        "1.5M",
        "30M",
        "2B",
    ]


def test_mismatched_or_empty_input_is_refused() -> None:
    with pytest.raises(ValueError, match="13 click counts"):
        render_clicks_chart(DAYS, SERIES[:13], title="x")
    with pytest.raises(ValueError, match="at least one day"):
        render_clicks_chart([], [], title="x")
