"""`clickbot check`: can this installation reach ClickMeter and Slack with its settings?"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from alerts.deliver.poster import error_code
from clickmeter import ClickMeterClient, ClickMeterError
from config import ClickMeterSettings, SlackTokenSettings


@dataclass(frozen=True)
class CheckResult:
    """One line of the report: what was checked, whether it worked, and what it found or needs."""

    name: str
    ok: bool | None  # None: skipped
    detail: str


async def check_clickmeter(settings: ClickMeterSettings) -> CheckResult:
    try:
        async with ClickMeterClient(
            settings.clickmeter_api_key, base_url=settings.clickmeter_api_url, max_attempts=2
        ) as client:
            me = await client.me()
            zone = await client.account_zone()
            plan = await client.plan()
    except ClickMeterError as exc:
        return CheckResult("ClickMeter", False, exc.user_message)
    who = me.email or " ".join(filter(None, [me.first_name, me.last_name])) or "this account"
    used = f"{plan.used_datapoints:,}/{plan.maximum_datapoints:,} datapoints"
    return CheckResult(
        "ClickMeter",
        True,
        f"signed in as {who}; time zone {me.timezonename} ({zone.key}); "
        f"plan {plan.name or 'unnamed'}, {used}; API {settings.clickmeter_api_url}",
    )


async def check_slack(settings: SlackTokenSettings) -> CheckResult:
    if settings.slack_bot_token is None:
        return CheckResult("Slack", None, "skipped: SLACK_BOT_TOKEN is not set")
    client = AsyncWebClient(
        token=settings.slack_bot_token.get_secret_value(), base_url=settings.slack_api_url
    )
    try:
        answer = await client.auth_test()
    except SlackApiError as exc:
        error = error_code(exc)
        hint = {
            "invalid_auth": "the token is not valid: copy the Bot User OAuth Token again",
            "not_authed": "no token reached Slack: check SLACK_BOT_TOKEN",
            "account_inactive": "the token was revoked or the app uninstalled: reinstall the app",
            "token_revoked": "the token was revoked: reinstall the app and copy the new token",
        }.get(error, "check SLACK_BOT_TOKEN and SLACK_API_URL")
        return CheckResult("Slack", False, f"auth.test failed ({error}): {hint}")
    except (SlackClientError, OSError) as exc:
        return CheckResult(
            "Slack", False, f"cannot reach {settings.slack_api_url} ({type(exc).__name__})"
        )
    return CheckResult(
        "Slack",
        True,
        f"bot @{answer.get('user')} in workspace {answer.get('team')} ({answer.get('team_id')})",
    )


async def run_checks(
    clickmeter: ClickMeterSettings, slack: SlackTokenSettings
) -> list[CheckResult]:
    """Every check, concurrently, in the order they are reported."""
    return list(await asyncio.gather(check_clickmeter(clickmeter), check_slack(slack)))
