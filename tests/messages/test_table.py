"""Code-block tables: aligned columns, cut cells, "… and N more", and Slack's 3,000 characters."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from messages import Column, fit_width, render_table, table_chunks, width

COLUMNS = [Column("#", "right"), Column("Country"), Column("Clicks", "right")]


def lines(table: str) -> list[str]:
    assert table.startswith("```\n")
    assert table.endswith("\n```")
    return table[4:-4].split("\n")


def test_columns_align() -> None:
    table = render_table(COLUMNS, [["1", "US", "2,805"], ["10", "DE", "902"]])
    assert lines(table) == [
        " #  Country  Clicks",
        " 1  US        2,805",
        "10  DE          902",
    ]


def test_more_line_counts_rows_left_out_by_the_caller() -> None:
    table = render_table(COLUMNS, [["1", "US", "5"]], more=47)
    assert lines(table)[-1] == "… and 47 more"


def test_cells_are_cut_to_the_column_width() -> None:
    table = render_table([Column("Name", max_width=10)], [["x" * 50]])
    assert lines(table)[1] == "x" * 9 + "…"


def test_cells_are_escaped_and_cannot_close_the_block() -> None:
    table = render_table([Column("Name", max_width=60)], [["<!here> & ```oops``` `x`"]])
    assert "&lt;!here&gt; &amp; '''oops''' 'x'" in table
    assert table.count("```") == 2


def test_padding_uses_the_escaped_texts_visible_width() -> None:
    # "&" is one column on screen though "&amp;" is five characters in the text.
    table = render_table([Column("A"), Column("B", "right")], [["a&b", "1"], ["abc", "22"]])
    assert lines(table)[1:] == ["a&amp;b   1", "abc  22"]


def test_wide_characters_count_double() -> None:
    assert width("名前") == 4
    assert width("e\u0301") == 1
    assert fit_width("名前名前", 5) == "名前…"
    table = render_table([Column("Name"), Column("N", "right")], [["名前", "1"], ["abcd", "2"]])
    assert lines(table)[1:] == ["名前  1", "abcd  2"]


def test_new_lines_in_cells_stay_on_one_row() -> None:
    table = render_table([Column("Name")], [["two\nlines\there"]])
    assert lines(table)[1] == "two lines here"


def test_too_many_rows_are_cut_with_a_count() -> None:
    rows = [[str(i), "x" * 30, "1"] for i in range(500)]
    table = render_table(COLUMNS, rows, more=10)
    assert len(table) <= 2900
    shown = len(lines(table)) - 2  # header and "more"
    assert lines(table)[-1] == f"… and {500 - shown + 10} more"


def test_chunks_split_rows_and_repeat_the_header() -> None:
    rows = [[str(i), "y" * 30, "1"] for i in range(120)]
    chunks = table_chunks(COLUMNS, rows, max_chunks=5)
    assert len(chunks) > 1
    assert all(len(c) <= 2900 for c in chunks)
    assert all(lines(c)[0] == lines(chunks[0])[0] for c in chunks)
    assert sum(len(lines(c)) - 1 for c in chunks) == 120


def test_an_empty_table_is_just_the_header() -> None:
    assert lines(render_table(COLUMNS, [])) == ["#  Country  Clicks"]


@settings(max_examples=60)
@given(
    st.lists(st.lists(st.text(max_size=120), min_size=3, max_size=3), max_size=150),
    st.integers(0, 10**6),
    st.integers(1, 4),
)
def test_any_rows_fit(rows: list[list[str]], more: int, max_chunks: int) -> None:
    chunks = table_chunks(COLUMNS, rows, more=more, max_chunks=max_chunks)
    assert 1 <= len(chunks) <= max_chunks
    for chunk in chunks:
        assert len(chunk) <= 2900
        assert chunk.count("```") == 2
        assert "<" not in chunk
        assert ">" not in chunk
