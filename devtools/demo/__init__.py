"""`clickbot demo` (what `make demo` runs): the whole bot on this machine, in a terminal.

Starts the ClickMeter sandbox, a local Slack and the bot's own web app, checks them the way
`clickbot check` does, then sends `/clickmeter …` commands exactly as Slack does (signed HTTP to
/slack/events) and draws each message the local Slack receives on the response_url. At a
terminal you type the commands; otherwise (a pipe, CI) a scripted tour plays and exits.

The tour also sets a spike alert with `/clickmeter alert add`, then runs the alert worker's jobs
in-process (poll cycles, each moving the sandbox's frozen clock on by the poll interval, and
a pass of the sender) on the bot's own database, a temporary SQLite file, and draws the alert
post #general gets, its resolved edit and the reply in its thread.

Modules, in the order a run uses them: `run` (start the servers, check them, pick tour or
prompt), `session` (one user talking to the bot, each answer drawn), `account` (what the demo
reads of the sandbox's links), `worker` (the alert worker's jobs, in-process), `tour` (the
scripted steps) and `terminal` (the typed prompt). `run_demo` is the entry point.
"""

from devtools.demo.run import DEMO_API_KEY, run_demo

__all__ = ["DEMO_API_KEY", "run_demo"]
