"""Block Kit in a terminal: roughly what a Slack client shows, drawn with rich.

`render_post(body)` draws one message as Slack receives it (a response_url post or a
`chat.postMessage`'s text + blocks) in a panel saying who can see it; `render_blocks` draws the
blocks alone and `mrkdwn` turns Slack mrkdwn into a rich `Text`. Pure functions: they return
renderables and print nothing, so the demo prints them and tests record them.

Not a full Slack client: enough of mrkdwn and of the block types a bot sends to read an answer
the way a user would; anything else shows as `[unsupported …]` rather than disappearing.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from typing import Any

from rich import box
from rich.console import Group, RenderableType
from rich.emoji import Emoji
from rich.padding import Padding
from rich.panel import Panel
from rich.rule import Rule
from rich.style import Style
from rich.table import Table
from rich.text import Text

#: Who an id stands for (`U0ALICE` → `alice`, `C0GENERAL` → `general`), for mentions.
Names = Mapping[str, str]

_NO_NAMES: dict[str, str] = {}
_CODE_BLOCK = re.compile(r"```(.*?)```", re.DOTALL)
# Slack's inline rules: markers hug their text (no space inside), do not cross lines, and are not
# glued to a word outside (so `file_name_here` and `2*3*4` stay as typed).
_INLINE = re.compile(
    r"(?P<code>`[^`\n]+`)"
    r"|<(?P<ref>[^<>\n]+)>"
    r"|(?<![\w*])\*(?P<bold>[^*\s](?:[^*\n]*[^*\s])?)\*(?![\w*])"
    r"|(?<![\w_])_(?P<italic>[^_\s](?:[^_\n]*[^_\s])?)_(?![\w_])"
    r"|(?<![\w~])~(?P<strike>[^~\s](?:[^~\n]*[^~\s])?)~(?![\w~])"
)
_BUTTON_STYLES = {"primary": "bold green", "danger": "bold red"}


def _emoji(text: str) -> str:
    # rich knows the common shortcodes (:warning:, :thinking_face:); unknown ones stay as typed.
    # Variation selector 16 goes: terminals disagree on the width it gives (🖱️ is 1 or 2 cells),
    # which would push the panel's right border out of line.
    return Emoji.replace(text).replace("\ufe0f", "")


def _append_inline(out: Text, text: str, style: str, names: Names) -> None:
    at = 0
    for match in _INLINE.finditer(text):
        out.append(_emoji(html.unescape(text[at : match.start()])), style=style or None)
        kind = match.lastgroup
        inner = match.group(kind) if kind else ""
        if kind == "code":
            out.append(html.unescape(inner[1:-1]), style=f"{style} bold cyan".strip())
        elif kind == "ref":
            label, link = _reference(inner, names)
            ref_style = Style.parse(f"{style} underline blue".strip()) + Style(link=link)
            out.append(label, style=ref_style if link else f"{style} bold blue".strip())
        else:
            extra = {"bold": "bold", "italic": "italic", "strike": "strike"}[kind or "bold"]
            _append_inline(out, inner, f"{style} {extra}".strip(), names)
        at = match.end()
    out.append(_emoji(html.unescape(text[at:])), style=style or None)


def _reference(inner: str, names: Names) -> tuple[str, str | None]:
    """`<…>` → (what Slack shows, the URL when it is a link)."""
    target, _, label = inner.partition("|")
    label = html.unescape(label)
    if target.startswith("@"):  # <@U123> user mention
        return "@" + (names.get(target[1:]) or label or target[1:]), None
    if target.startswith("#"):  # <#C123|general> channel mention
        return "#" + (label or names.get(target[1:]) or target[1:]), None
    if target.startswith("!"):  # <!here>, <!date^…|fallback>, <!subteam^S1|@team>
        command = target[1:].split("^", 1)[0]
        return (label or f"@{command}"), None
    url = html.unescape(target)
    return (label or url), url


def mrkdwn(text: str, *, names: Names = _NO_NAMES, style: str = "") -> Text:
    """Slack mrkdwn without code blocks → a `Text` (bold, italic, strike, `code`, links, @s)."""
    out = Text(style=style)
    _append_inline(out, text, "", names)
    return out


def _code_block(code: str) -> RenderableType:
    # No wrapping: these are aligned tables; too wide is cropped (…) like Slack scrolls.
    body = Text(html.unescape(code.strip("\n")), no_wrap=True, overflow="ellipsis")
    return Panel(body, box=box.SQUARE, border_style="dim", expand=False, padding=(0, 1))


def mrkdwn_block(text: str, *, names: Names = _NO_NAMES) -> list[RenderableType]:
    """mrkdwn that may hold ``` code blocks: prose as `Text`, each code block in its own box."""
    parts: list[RenderableType] = []
    at = 0
    for match in _CODE_BLOCK.finditer(text):
        prose = text[at : match.start()].strip("\n")
        if prose:
            parts.append(mrkdwn(prose, names=names))
        parts.append(_code_block(match.group(1)))
        at = match.end()
    rest = text[at:].strip("\n")
    if rest or not parts:
        parts.append(mrkdwn(rest, names=names))
    return parts


def _text_object(obj: Any, names: Names) -> list[RenderableType]:
    if not isinstance(obj, dict):
        return [Text(str(obj or ""))]
    text = str(obj.get("text", ""))
    if obj.get("type") == "mrkdwn":
        return mrkdwn_block(text, names=names)
    return [Text(_emoji(text) if obj.get("emoji", True) else text)]


def _one(parts: list[RenderableType]) -> RenderableType:
    return parts[0] if len(parts) == 1 else Group(*parts)


def _plain(obj: Any) -> str:
    return str(obj.get("text", "")) if isinstance(obj, dict) else ""


def _element(element: dict[str, Any]) -> Text:
    """An interactive element as a bracketed control: `[ Share in channel ]`, `[ Pick… ▾ ]`."""
    kind = element.get("type", "")
    if kind == "button":
        style = _BUTTON_STYLES.get(str(element.get("style")), "bold")
        return Text(f"[ {_emoji(_plain(element.get('text')))} ]", style=style)
    if kind == "image":
        return Text(f"[image: {element.get('alt_text', '')}]", style="dim")
    if kind == "overflow":
        return Text("[ ⋯ ]", style="bold")
    shown = element.get("initial_option", {}).get("text") or element.get("placeholder")
    label = _plain(shown) or kind.replace("_", " ")
    return Text(f"[ {label} ▾ ]", style="bold")


def _fields(fields: list[Any], names: Names) -> RenderableType:
    grid = Table.grid(expand=True, padding=(0, 3, 0, 0))
    grid.add_column(ratio=1)
    grid.add_column(ratio=1)
    cells = [_one(_text_object(field, names)) for field in fields]
    for i in range(0, len(cells), 2):
        if i:  # a blank line between rows of fields, as Slack spaces them (`leading` needs a box)
            grid.add_row("", "")
        grid.add_row(*cells[i : i + 2])
    return grid


def _section(block: dict[str, Any], names: Names) -> RenderableType:
    parts: list[RenderableType] = []
    if block.get("text"):
        parts.extend(_text_object(block["text"], names))
    if block.get("fields"):
        parts.append(_fields(block["fields"], names))
    body = _one(parts) if parts else Text("")
    accessory = block.get("accessory")
    if not isinstance(accessory, dict):
        return body
    # The accessory sits to the right of the text, as in Slack.
    grid = Table.grid(expand=True, padding=(0, 2, 0, 0))
    grid.add_column(ratio=1)
    grid.add_column(justify="right")
    grid.add_row(body, _element(accessory))
    return grid


def _context(block: dict[str, Any], names: Names) -> Text:
    line = Text(style="dim")
    for i, element in enumerate(block.get("elements") or []):
        if i:
            line.append("  ·  ")  # wider than the " · " answers use inside one element
        if isinstance(element, dict) and element.get("type") == "image":
            line.append(f"[image: {element.get('alt_text', '')}]")
        elif isinstance(element, dict) and element.get("type") == "mrkdwn":
            line.append_text(mrkdwn(str(element.get("text", "")), names=names))
        else:
            line.append(_emoji(_plain(element)))
    return line


def _rich_text(block: dict[str, Any], names: Names) -> RenderableType:
    """`rich_text` (what users' messages carry): sections, lists, quotes, preformatted."""
    parts: list[RenderableType] = []
    for element in block.get("elements") or []:
        kind = element.get("type")
        if kind == "rich_text_preformatted":
            parts.append(_code_block(_rich_inline(element, names).plain))
        elif kind == "rich_text_list":
            for item in element.get("elements") or []:
                parts.append(Text("• ") + _rich_inline(item, names))
        elif kind == "rich_text_quote":
            parts.append(Text("▎ ", style="dim") + _rich_inline(element, names))
        else:
            parts.append(_rich_inline(element, names))
    return _one(parts) if parts else Text("")


def _rich_inline(element: dict[str, Any], names: Names) -> Text:
    out = Text()
    for item in element.get("elements") or []:
        kind, flags = item.get("type"), item.get("style") or {}
        style = " ".join(f for f in ("bold", "italic", "strike") if flags.get(f))
        if flags.get("code"):
            style += " bold cyan"
        if kind == "link":
            url = str(item.get("url", ""))
            out.append(
                str(item.get("text") or url), Style.parse("underline blue") + Style(link=url)
            )
        elif kind == "user":
            out.append("@" + names.get(item.get("user_id", ""), item.get("user_id", "")), "blue")
        elif kind == "channel":
            out.append("#" + names.get(item.get("channel_id", ""), item.get("channel_id", "")))
        elif kind == "emoji":
            out.append(_emoji(f":{item.get('name', '')}:"))
        else:
            out.append(str(item.get("text", "")), style=style.strip() or None)
    return out


def _block(block: Any, names: Names) -> RenderableType:
    kind = block.get("type") if isinstance(block, dict) else None
    if kind == "header":
        return Text(_emoji(_plain(block.get("text"))), style="bold")
    if kind == "section":
        return _section(block, names)
    if kind == "context":
        return _context(block, names)
    if kind == "divider":
        return Rule(style="dim")
    if kind == "actions":
        return Text("  ").join(_element(e) for e in block.get("elements") or [])
    if kind == "image":
        title = _plain(block.get("title"))
        shown = f"[image: {block.get('alt_text', '')}]" + (f" {title}" if title else "")
        return Text(shown, style="dim")
    if kind == "rich_text":
        return _rich_text(block, names)
    if kind == "input":
        label = Text(_plain(block.get("label")), style="bold")
        return Group(label, _element(block.get("element") or {}))
    return Text(f"[unsupported block: {kind}]", style="dim italic")


def render_blocks(blocks: Iterable[Any], *, names: Names = _NO_NAMES) -> RenderableType:
    """The blocks one under another, a blank line apart (Slack's spacing, roughly)."""
    drawn: list[RenderableType] = []
    for i, block in enumerate(blocks):
        try:
            shown = _block(block, names)
        except (AttributeError, TypeError, ValueError, KeyError):
            # A malformed block (Slack would refuse it) is shown as such, never a crash.
            shown = Text(f"[malformed block: {str(block)[:60]}]", style="dim italic")
        drawn.append(Padding(shown, (1 if i else 0, 0, 0, 0)))
    return Group(*drawn)


def render_message(
    text: str,
    blocks: list[Any] | None,
    *,
    ephemeral: bool,
    where: str = "#general",
    sender: str = "clickbot",
    names: Names = _NO_NAMES,
    note: str | None = None,
) -> RenderableType:
    """A message in a panel: its blocks (or, without any, its text) and who can see it."""
    body = render_blocks(blocks, names=names) if blocks else _one(mrkdwn_block(text, names=names))
    seen = "only visible to you" if ephemeral else f"posted in {where}"
    subtitle = f"{seen} · {note}" if note else seen
    return Panel(
        body,
        title=Text(sender, style="bold"),
        title_align="left",
        subtitle=Text(subtitle, style="italic"),
        subtitle_align="right",
        border_style="blue" if ephemeral else "green",
        padding=(0, 1),
    )


def render_post(
    body: Mapping[str, Any], *, where: str = "#general", names: Names = _NO_NAMES
) -> RenderableType:
    """What a POST to a response_url shows: a new (ephemeral or in-channel) message, or a note
    that the original message was deleted."""
    if body.get("delete_original"):
        return Text("✕ the original (private) message was removed", style="dim italic")
    note = "replaces the original" if body.get("replace_original") else None
    return render_message(
        str(body.get("text") or ""),
        body.get("blocks"),
        ephemeral=body.get("response_type") != "in_channel",
        where=where,
        names=names,
        note=note,
    )
