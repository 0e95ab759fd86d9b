"""The typed session `clickbot demo` offers at a terminal: a prompt, the demo's own words
(share, spike, quit) and every other line sent as a `/clickmeter` command."""

from __future__ import annotations

import sys
from collections.abc import Callable
from contextlib import suppress

import httpx
from rich.console import Console
from rich.text import Text

from devtools.demo.session import COMMAND, Session
from devtools.localslack.driver import DriverError

EXIT_WORDS = frozenset({"quit", "exit", "q", ":q"})
HINT = (
    "Type a command as in Slack ([bold]stats last7[/], [bold]top countries[/], "
    "[bold]link <name>[/]…; the /clickmeter is optional). Demo only: [bold]share[/] shares the "
    "last answer in #general, [bold]spike <link>[/] sends it a burst of clicks, "
    "[bold]quit[/] or Ctrl-D leaves."
)


def _strip_command(line: str) -> str:
    text = line.strip()
    if text.lower().startswith(COMMAND):
        text = text[len(COMMAND) :].strip()
    return text


def repl(session: Session, read_line: Callable[[], str]) -> int:
    """Read commands until quit / Ctrl-D / Ctrl-C. Always 0: a failed answer is shown, not fatal."""
    session.console.print(HINT, highlight=False)
    while True:
        try:
            text = _strip_command(read_line())
        except (EOFError, KeyboardInterrupt):
            session.console.print()
            return 0
        word, _, rest = text.partition(" ")
        try:
            if not text:
                continue
            if text.lower() in EXIT_WORDS:
                return 0
            if text.lower() == "share":
                session.share()
            elif word.lower() == "spike":
                session.spike(rest.strip() or session.state().busiest().name)
            else:
                if text.lower() == "help":
                    session.console.print(HINT, highlight=False)
                session.ask(text, echo=False)
        except KeyboardInterrupt:
            session.console.print()
            return 0
        except (httpx.HTTPError, DriverError) as exc:
            session.console.print(Text(f"✗ {exc}", style="red"), highlight=False)


def is_terminal() -> bool:
    """Whether stdin is a terminal someone types at (False when it is closed or replaced)."""
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (AttributeError, ValueError, OSError):  # closed or replaced stdin
        return False


def prompt_reader(console: Console) -> Callable[[], str]:
    """Reads one typed line after a `/clickmeter` prompt."""
    with suppress(ImportError):
        import readline  # noqa: F401  (arrow keys and history for input())
    return lambda: console.input(f"[bold cyan]{COMMAND}[/] ")
