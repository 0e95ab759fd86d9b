"""`help [topic]`: what each subcommand does, with examples; a topic explains one thing."""

from __future__ import annotations

from collections import defaultdict

from slack_sdk.models.blocks import Block

from bot.answers.top import REPORT_LABELS
from bot.grammar import DEFAULT_TIMEFRAME, MAX_HITS, REPORT_WORDS, SUBCOMMANDS, Help
from bot.grammar.timeframes import RANGE_EXAMPLE, TIMEFRAME_WORDS
from messages import Message, context, escape, header, make, section

_TOPICS_LINE = (
    "More: `/clickmeter help timeframes` · `/clickmeter help reports` · "
    "`/clickmeter help names` · `/clickmeter help <command>`"
)


#: connect/disconnect open a modal outside the grammar (`bot.listeners.commands.connect`).
_ACCOUNT_LINE = (
    "`/clickmeter connect` · `/clickmeter disconnect`\n"
    "connect this workspace's ClickMeter account with its API key, or remove it "
    "(admins and the admin group; where this app is installed from Slack's directory)"
)


def _cmd(text: str) -> str:
    return f"`/clickmeter {escape(text)}`"


def _overview() -> Message:
    lines = [
        f"{_cmd(sub.usage)}\n{escape(sub.summary)} · e.g. {_cmd(sub.example('30d'))}"
        for sub in SUBCOMMANDS.values()
    ]
    lines.append(_ACCOUNT_LINE)
    blocks: list[Block] = [
        header("📖 ClickMeter in Slack"),
        section("\n\n".join(lines)),
        context(
            f"Timeframes default to {DEFAULT_TIMEFRAME.label}: try `7d`, `30d`, `this-month`, "
            f"`{RANGE_EXAMPLE}`",
            _TOPICS_LINE,
        ),
    ]
    return make("ClickMeter commands: " + ", ".join(SUBCOMMANDS), blocks)


def _timeframes() -> str:
    by_label: dict[str, list[str]] = defaultdict(list)
    for word, (_, label) in TIMEFRAME_WORDS.items():
        by_label[label].append(f"`{word}`")
    lines = [f"{' / '.join(words)}: {label}" for label, words in by_label.items()]
    lines.append("`2026-11-01`: that one day")
    lines.append(f"`{RANGE_EXAMPLE}`: those days, both included (up to a year)")
    return (
        f"Put a timeframe anywhere after the command; without one I use the "
        f"{DEFAULT_TIMEFRAME.label}. Days are your ClickMeter account's days.\n"
        + "\n".join(f"• {line}" for line in lines)
    )


def _reports() -> str:
    words: dict[str, list[str]] = defaultdict(list)
    for word, report in REPORT_WORDS.items():
        words[report.value].append(f"`{word}`")
    lines = [
        f"• *{REPORT_LABELS[report]}*: {', '.join(words[report.value])}" for report in REPORT_LABELS
    ]
    return (
        f"{_cmd('top <report> [timeframe] [link <id|name> | group <id|name>]')} "
        "shows the top 10 of a report with each one's share. Reports:\n" + "\n".join(lines)
    )


_NAMES = (
    "Name a link or group by its id (`2028471`), its name (`spring-sale`, any case), the start "
    "of its name (`spring-sale-ga`) or words of it. If several match, I list them with their "
    "ids so you can pick one; names with spaces go in quotes: "
    '`/clickmeter link "Spring sale garden"`.'
)


def _subcommand(name: str) -> str:
    sub = SUBCOMMANDS[name]
    summary = escape(sub.summary[:1].upper() + sub.summary[1:])
    if name == "hits":
        summary += f", newest first (up to {MAX_HITS})"
    examples = [sub.example("7d")]
    if "{tf}" in sub.template:
        examples.append(sub.example(RANGE_EXAMPLE))
    if name == "link":
        examples.append("link pause spring-sale")
    shown = " or ".join(_cmd(e) for e in examples)
    return f"{_cmd(sub.usage)}\n{summary}.\ne.g. {shown}"


def help_answer(command: Help) -> Message:
    """The overview, or the help on `command.topic`."""
    topic = command.topic
    if topic is None:
        return _overview()
    if topic in SUBCOMMANDS:
        body = _subcommand(topic)
    elif topic == "timeframes":
        body = _timeframes()
    elif topic == "reports":
        body = _reports()
    else:
        body = _NAMES
    blocks: list[Block] = [header(f"📖 Help · {topic}"), section(body), context(_TOPICS_LINE)]
    return make(f"ClickMeter help: {topic}", blocks)
