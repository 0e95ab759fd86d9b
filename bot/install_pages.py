"""The pages an installer sees at the end of `/slack/oauth_redirect`: what was installed and what
to do next, or what went wrong and how to try again. Never a traceback."""

from __future__ import annotations

from html import escape

#: What went wrong, in the installer's words, by Bolt's failure reason.
FAILURES = {
    "access_denied": "The install was cancelled on Slack's page, so nothing was installed.",
    "invalid_browser": "This page was opened in another browser than the one that started the "
    "install (or its cookie was blocked).",
    "invalid_state": "This install link has expired or was already used.",
    "missing_code": "Slack did not send the install's code back.",
    "invalid_code": "Slack did not accept the install's code (it may have been used already).",
    "storage_error": "The install could not be saved. Please try again in a minute.",
}

_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:36em;margin:4em auto;line-height:1.5}}
code{{background:#f2f2f2;padding:0 .3em}}</style></head>
<body><h1>{title}</h1>{body}</body></html>
"""


def success_page(team_name: str | None, team_id: str | None) -> str:
    where = escape(team_name or team_id or "your workspace")
    body = (
        f"<p>clickbot is now installed in <b>{where}</b>.</p>"
        "<p>Next: ask a workspace admin to connect your ClickMeter account to clickbot "
        "(<code>/clickmeter connect</code>). Then anyone can type "
        "<code>/clickmeter help</code> in any channel to see what clickbot answers, and invite "
        "<code>@clickbot</code> to the channels where alerts and digests should go.</p>"
    )
    return _PAGE.format(title="clickbot is installed", body=body)


def failure_page(reason: str, install_path: str) -> str:
    why = FAILURES.get(reason, "The install did not complete.")
    body = (
        f'<p>{escape(why)}</p><p><a href="{escape(install_path)}">Start the install again</a>.</p>'
    )
    return _PAGE.format(title="clickbot was not installed", body=body)
