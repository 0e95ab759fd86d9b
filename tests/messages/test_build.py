"""Block builders: whatever the text, the blocks are valid Block Kit within Slack's limits."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from slack_sdk.models.blocks import Block

from devtools.localslack import validate_blocks
from messages import code_sections, context, divider, fields, fit, header, section, table_chunks
from messages.table import Column

HUGE = "<b>&`*_~ 📈 名前 " * 1000


def dicts(blocks: list[Block]) -> list[dict[str, object]]:
    return [b.to_dict() for b in blocks]


def test_huge_texts_are_cut_to_slacks_limits() -> None:
    blocks: list[Block] = [
        header(HUGE),
        section(HUGE),
        *fields([(HUGE, HUGE)] * 25),
        context(*[HUGE] * 15),
        divider(),
    ]
    assert validate_blocks(dicts(blocks)) == []
    assert len(blocks) == 7  # 25 fields make 3 sections of at most 10


def test_header_is_one_line() -> None:
    assert header("a\n b\tc").to_dict()["text"]["text"] == "a b c"


def test_empty_texts_still_valid() -> None:
    blocks: list[Block] = [header(""), section(""), context(""), *fields([("", "")])]
    assert validate_blocks(dicts(blocks)) == []


def test_fit_keeps_the_last_block_and_says_what_was_left_out() -> None:
    blocks: list[Block] = [section(str(i)) for i in range(100)]
    blocks.append(context("footer"))
    kept = fit(blocks)
    assert len(kept) == 48
    assert kept[-1].to_dict()["elements"][0]["text"] == "footer"
    assert "54 more" in kept[-2].to_dict()["text"]["text"]
    assert validate_blocks(dicts(kept)) == []
    assert fit(blocks[:5]) == blocks[:5]


def test_code_sections_of_a_long_table_are_valid() -> None:
    rows = [[str(i), HUGE[:200]] for i in range(300)]
    chunks = table_chunks([Column("#"), Column("Name", max_width=100)], rows, max_chunks=10)
    assert validate_blocks(dicts(list(code_sections(chunks)))) == []


@given(st.text(max_size=4000))
def test_any_text_makes_valid_blocks(text: str) -> None:
    blocks: list[Block] = [header(text), section(text), context(text), *fields([(text, text)])]
    assert validate_blocks(dicts(blocks)) == []
