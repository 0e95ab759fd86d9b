"""Block Kit drawn in a terminal: what a reader sees, checked on the plain text at 100 columns."""

from __future__ import annotations

from typing import Any

from rich.console import Console, RenderableType

from bot.answers.help import help_answer
from bot.grammar import Help
from devtools.localslack.render import mrkdwn, render_blocks, render_post

NAMES = {"U0ALICE": "alice", "C0GENERAL": "general"}


def plain(renderable: RenderableType, width: int = 100) -> str:
    console = Console(record=True, width=width, force_terminal=True, color_system="standard")
    console.print(renderable)
    return console.export_text()


def styled(renderable: RenderableType) -> str:
    console = Console(record=True, width=100, force_terminal=True, color_system="standard")
    console.print(renderable)
    return console.export_text(styles=True)


def lines(renderable: RenderableType, width: int = 100) -> list[str]:
    return [line.rstrip() for line in plain(renderable, width).splitlines()]


def section(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}, **extra}


def test_mrkdwn_styles_links_mentions_and_entities() -> None:
    text = mrkdwn(
        "*Clicks* _up_ ~down~ `code` <https://x.example/a?b=1&amp;c=2|the page> "
        "<https://bare.example> <@U0ALICE> <@U0NOBODY> <#C0GENERAL|general> <!here> "
        "&lt;tag&gt; &amp; snake_case_name 2*3*4 :warning:",
        names=NAMES,
    )
    assert text.plain == (
        "Clicks up down code the page https://bare.example @alice @U0NOBODY #general @here "
        "<tag> & snake_case_name 2*3*4 ⚠"
    )
    styles = {text.plain[span.start : span.end]: str(span.style) for span in text.spans}
    assert "bold" in styles["Clicks"]
    assert "italic" in styles["up"]
    assert "strike" in styles["down"]
    assert "cyan" in styles["code"]
    assert "link https://x.example/a?b=1&c=2" in styles["the page"]


def test_mrkdwn_nests_and_leaves_loose_markers_alone() -> None:
    assert mrkdwn("*_both_* and * not bold * and a*b*c").plain == (
        "both and * not bold * and a*b*c"
    )
    both = mrkdwn("*_both_*")
    assert any("bold italic" in str(span.style) for span in both.spans)


def test_header_section_and_code_block_keep_columns_aligned() -> None:
    table = "```\n #  Country  Clicks\n 1  US        8,319\n10  BR          855\n```"
    header = {"type": "header", "text": {"type": "plain_text", "text": "🏆 Countries"}}
    drawn = lines(render_blocks([header, section("*25,809* clicks from 14 countries\n" + table)]))
    assert drawn[0] == "🏆 Countries"
    assert "25,809 clicks from 14 countries" in drawn
    rows = [line for line in drawn if "│" in line]
    assert rows == ["│  #  Country  Clicks │", "│  1  US        8,319 │", "│ 10  BR          855 │"]
    assert "\x1b[1m🏆 Countries" in styled(render_blocks([header]))  # bold


def test_code_too_wide_is_cropped_not_wrapped() -> None:
    wide = "```\n" + "x" * 60 + " end\n" + "y" * 10 + "\n```"
    drawn = lines(render_blocks([section(wide)]), width=40)
    assert len(drawn) == 4  # top border, two rows, bottom border: nothing wrapped
    assert drawn[1].endswith("… │")
    assert drawn[2].startswith("│ yyyyyyyyyy")


def test_fields_sit_in_two_columns() -> None:
    fields = [
        {"type": "mrkdwn", "text": f"*{name}*\n*{value}*"}
        for name, value in [("Clicks", "702"), ("Unique", "505"), ("Views", "0")]
    ]
    drawn = lines(render_blocks([{"type": "section", "fields": fields}]))
    assert drawn[0].split() == ["Clicks", "Unique"]
    assert drawn[1].split() == ["702", "505"]
    assert drawn[0].index("Unique") == drawn[1].index("505") == 50  # the right half
    assert drawn[2] == ""  # Slack's gap between rows of fields
    assert drawn[3:5] == ["Views", "0"]


def button(label: str, **extra: Any) -> dict[str, Any]:
    return {"type": "button", "text": {"type": "plain_text", "text": label}, **extra}


def test_context_is_dim_divider_image_actions_and_accessory() -> None:
    blocks = [
        section("Latest", accessory=button("Open")),
        {"type": "divider"},
        {"type": "image", "image_url": "https://x/chart.png", "alt_text": "clicks chart"},
        {
            "type": "context",
            "elements": [
                {"type": "image", "image_url": "https://x/i.png", "alt_text": "logo"},
                {"type": "mrkdwn", "text": "Shared by <@U0ALICE>"},
                {"type": "plain_text", "text": "data as of 06:21"},
            ],
        },
        {
            "type": "actions",
            "elements": [
                button("Share in channel"),
                button("Stop", style="danger"),
                {"type": "static_select", "placeholder": {"type": "plain_text", "text": "Pick"}},
            ],
        },
        {"type": "table"},
    ]
    drawn = [line for line in lines(render_blocks(blocks, names=NAMES)) if line]
    assert drawn[0].startswith("Latest")
    assert drawn[0].endswith("[ Open ]")  # the accessory, at the right
    assert drawn[1] == "─" * 100
    assert drawn[2:] == [
        "[image: clicks chart]",
        "[image: logo]  ·  Shared by @alice  ·  data as of 06:21",
        "[ Share in channel ]  [ Stop ]  [ Pick ▾ ]",
        "[unsupported block: table]",
    ]
    assert "\x1b[2m[image: logo]" in styled(render_blocks(blocks[3:4]))  # dim


def test_ephemeral_and_in_channel_posts_say_who_sees_them() -> None:
    blocks = [section("*702* clicks")]
    private = lines(render_post({"response_type": "ephemeral", "text": "x", "blocks": blocks}))
    public = lines(render_post({"response_type": "in_channel", "text": "x", "blocks": blocks}))
    assert private[0].startswith("╭─ clickbot ─")
    assert private[1].strip("│ ") == "702 clicks"
    assert private[-1].endswith(" only visible to you ─╯")
    assert public[-1].endswith(" posted in #general ─╯")
    assert all(len(line) == 100 for line in private)


def test_text_only_posts_deletions_and_replacements() -> None:
    text_only = lines(render_post({"text": "Working on it… `stats`"}))
    assert text_only[1].strip("│ ") == "Working on it… stats"
    assert text_only[-1].endswith("only visible to you ─╯")  # no response_type: ephemeral
    deleted = lines(render_post({"delete_original": True}))
    assert deleted == ["✕ the original (private) message was removed"]
    replaced = lines(render_post({"replace_original": True, "text": "new"}))
    assert replaced[-1].endswith("only visible to you · replaces the original ─╯")


def test_a_real_answer_renders_whole() -> None:
    blocks = help_answer(Help()).block_dicts()
    drawn = plain(render_post({"response_type": "ephemeral", "text": "help", "blocks": blocks}))
    assert "📖 ClickMeter in Slack" in drawn
    assert "/clickmeter stats [timeframe]" in drawn
    assert "/clickmeter top <report>" in drawn  # &lt; &gt; undone
    assert "`" not in drawn
    assert "&lt;" not in drawn


def test_rich_text_and_malformed_blocks() -> None:
    rich_text = {
        "type": "rich_text",
        "elements": [
            {
                "type": "rich_text_section",
                "elements": [
                    {"type": "text", "text": "Hi ", "style": {"bold": True}},
                    {"type": "user", "user_id": "U0ALICE"},
                    {"type": "text", "text": " see "},
                    {"type": "link", "url": "https://x.example", "text": "this"},
                    {"type": "emoji", "name": "tada"},
                ],
            },
            {"type": "rich_text_list", "elements": [{"elements": [{"type": "text", "text": "a"}]}]},
            {"type": "rich_text_quote", "elements": [{"type": "text", "text": "quoted"}]},
        ],
    }
    malformed = {"type": "actions", "elements": ["not an element"]}
    drawn = [line for line in lines(render_blocks([rich_text, malformed], names=NAMES)) if line]
    assert drawn == [
        "Hi @alice see this🎉",
        "• a",
        "▎ quoted",
        "[malformed block: {'type': 'actions', 'elements': ['not an element']}]",
    ]
