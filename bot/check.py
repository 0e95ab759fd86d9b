"""`clickbot check`: can this installation run with its settings? ClickMeter answers its key,
Slack its bot token (and its app-level token, for Socket Mode, when one is set), and the
database is reachable and migrated to the schema this code needs (and Redis answers, when
REDIS_URL is set).

It is the Procfile's release step, so every check that fails says what to do about it.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from redis.asyncio import Redis
from redis.exceptions import RedisError
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from alerts.deliver.poster import error_code
from clickmeter import ClickMeterClient, ClickMeterError
from config import (
    ClickMeterSettings,
    SlackOAuthSettings,
    SlackSettings,
    SlackTokenSettings,
    StorageSettings,
)
from storage import Database
from storage import migrate as migrations

#: How long `check` waits for Redis to connect or answer.
REDIS_TIMEOUT_S = 5.0


@dataclass(frozen=True)
class CheckResult:
    """One line of the report: what was checked, whether it worked, and what it found or needs."""

    name: str
    ok: bool
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


#: A code no install made: Slack answers `invalid_code` only once the client id and secret pass.
PROBE_CODE = "clickbot-check"


async def check_oauth(settings: SlackOAuthSettings) -> CheckResult:
    """Distribution mode: Slack accepts the client id and secret (exchanging a made-up code)."""
    client = AsyncWebClient(base_url=settings.slack_api_url)
    try:
        await client.oauth_v2_access(
            client_id=settings.slack_client_id,
            client_secret=settings.slack_client_secret.get_secret_value(),
            code=PROBE_CODE,
        )
    except SlackApiError as exc:
        error = error_code(exc)
        if error == "invalid_code":
            redirect = settings.slack_redirect_uri or "the Redirect URL in the app's settings"
            return CheckResult(
                "Slack",
                True,
                f"client id {settings.slack_client_id} and its secret accepted; installs return "
                f"to {redirect}; scopes {','.join(settings.slack_scopes)}",
            )
        hint = {
            "invalid_client_id": "check SLACK_CLIENT_ID (Basic Information > App Credentials)",
            "bad_client_secret": "check SLACK_CLIENT_SECRET (Basic Information > App Credentials)",
        }.get(error, "check SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_API_URL")
        return CheckResult("Slack", False, f"oauth.v2.access refused the app ({error}): {hint}")
    except (SlackClientError, OSError) as exc:
        return CheckResult(
            "Slack", False, f"cannot reach {settings.slack_api_url} ({type(exc).__name__})"
        )
    return CheckResult("Slack", False, "Slack took a made-up install code: check SLACK_API_URL")


async def check_slack(settings: SlackSettings | SlackTokenSettings) -> CheckResult:
    if settings.slack_bot_token is None:
        return CheckResult(
            "Slack", False, "SLACK_BOT_TOKEN is not set: the bot cannot answer or post without it"
        )
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


#: What to do about each error apps.connections.open answers for an app-level token.
APP_TOKEN_HINTS = {
    "invalid_auth": "the token is not valid: copy the app-level token again "
    "(Slack app settings > Basic Information > App-Level Tokens)",
    "not_authed": "no token reached Slack: check SLACK_APP_TOKEN",
    "not_allowed_token_type": "this is not an app-level token: SLACK_APP_TOKEN needs the "
    "xapp- token from Basic Information > App-Level Tokens",
    "missing_scope": "the app-level token lacks the connections:write scope: generate one with it",
    "token_revoked": "the token was revoked: generate a new app-level token",
    "account_inactive": "the app was uninstalled or its token revoked: reinstall the app",
}


async def check_socket_mode(settings: SlackSettings) -> CheckResult | None:
    """Whether Slack opens a Socket Mode connection for SLACK_APP_TOKEN (None when unset):
    `apps.connections.open`, as the Socket Mode client does first; nothing connects to the
    URL it hands out, which expires unused."""
    if settings.slack_app_token is None:
        return None
    client = AsyncWebClient(base_url=settings.slack_api_url)
    try:
        await client.apps_connections_open(app_token=settings.slack_app_token.get_secret_value())
    except SlackApiError as exc:
        error = error_code(exc)
        hint = APP_TOKEN_HINTS.get(error, "check SLACK_APP_TOKEN and SLACK_API_URL")
        return CheckResult("Socket Mode", False, f"apps.connections.open failed ({error}): {hint}")
    except (SlackClientError, OSError) as exc:
        return CheckResult(
            "Socket Mode", False, f"cannot reach {settings.slack_api_url} ({type(exc).__name__})"
        )
    return CheckResult("Socket Mode", True, "Slack opens connections for SLACK_APP_TOKEN")


async def check_database(settings: StorageSettings) -> CheckResult:
    """Reachable, and at the newest revision: a deploy whose release step skipped `clickbot
    migrate` would otherwise start processes that fail on their first query."""
    url = make_url(settings.database_url)
    where = url.render_as_string(hide_password=True)
    if _sqlite_file_missing(url.get_backend_name(), url.database):
        # Connecting would create an empty file and report "no schema": say what happened.
        return CheckResult("database", False, f"{where} does not exist yet: run clickbot migrate")
    db = Database(url)
    try:
        revision = await migrations.current(db.engine)
    except (SQLAlchemyError, sqlite3.Error, OSError) as exc:
        # A DBAPIError's own text carries the SQL and SQLAlchemy's help link: the driver's says it.
        reason = exc.orig if isinstance(exc, DBAPIError) else exc
        return CheckResult(
            "database",
            False,
            f"cannot reach {where} ({type(reason).__name__}: {reason}): check DATABASE_URL "
            "and that the database server is running",
        )
    finally:
        await db.dispose()
    head = migrations.head()
    if revision is None:
        return CheckResult("database", False, f"{where} has no schema yet: run clickbot migrate")
    if revision != head:
        return CheckResult(
            "database",
            False,
            f"{where} is at revision {revision}, this version needs {head}: run clickbot migrate",
        )
    return CheckResult("database", True, f"{where}, schema at revision {head} (the newest)")


async def check_redis(settings: StorageSettings) -> CheckResult | None:
    """Redis answers a PING, when REDIS_URL is set (every process paces ClickMeter there)."""
    if settings.redis_url is None:
        return None
    where = _without_password(settings.redis_url.get_secret_value())
    redis = Redis.from_url(
        settings.redis_url.get_secret_value(),
        socket_connect_timeout=REDIS_TIMEOUT_S,
        socket_timeout=REDIS_TIMEOUT_S,
    )
    try:
        await redis.ping()
    except (RedisError, OSError) as exc:
        # Only the error's kind: its text could quote the URL, password included.
        return CheckResult(
            "Redis",
            False,
            f"cannot reach {where} ({type(exc).__name__}): check REDIS_URL and that Redis is "
            "running, or unset REDIS_URL to share ClickMeter's pacing through PostgreSQL",
        )
    finally:
        await redis.aclose()
    return CheckResult("Redis", True, f"{where}: ClickMeter's pacing is shared there")


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def _sqlite_file_missing(backend: str, database: str | None) -> bool:
    if backend != "sqlite" or not database or database == ":memory:":
        return False
    return not Path(database).is_file()


async def run_checks(
    clickmeter: ClickMeterSettings,
    slack: SlackSettings | SlackTokenSettings | SlackOAuthSettings,
    storage: StorageSettings | None = None,
) -> list[CheckResult]:
    """Every check, concurrently, in the order they are reported (Socket Mode's when an app
    token is set, the database's when given)."""
    checks: list[Coroutine[Any, Any, CheckResult | None]] = [
        check_clickmeter(clickmeter),
        check_oauth(slack) if isinstance(slack, SlackOAuthSettings) else check_slack(slack),
    ]
    if isinstance(slack, SlackSettings):
        checks.append(check_socket_mode(slack))
    if storage is not None:
        checks.append(check_database(storage))
        checks.append(check_redis(storage))
    return [result for result in await asyncio.gather(*checks) if result is not None]
