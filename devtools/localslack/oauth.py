"""The local Slack's side of OAuth: installs (the authorize page and `oauth.v2.access`), token
rotation, and the `app_uninstalled` / `tokens_revoked` events a workspace's admin causes.

    slack.oauth.installing = ("T0SECOND", "Second Co")   # who clicks "Allow" next
    # the app's /slack/install redirects to {base}/oauth/v2/authorize, which redirects back to
    # the app's redirect URL with a code; the app exchanges it at oauth.v2.access
    body = slack.oauth.uninstall("T0SECOND")              # its tokens stop working now
    send_event(app_url, signing_secret, body)            # what Slack then tells the app

Tokens issued here are checked by every Web API method (`auth.test` answers with the token's
own workspace). With `rotation` on, bot tokens expire after `token_lifetime` seconds and come
with a refresh token (`grant_type=refresh_token` swaps it for a new pair; the old token then
answers `token_expired`, as Slack's do once expired).
"""

from __future__ import annotations

import base64
import itertools
import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from devtools.localslack.models import APP_ID, ApiError
from devtools.localslack.signed import signed_headers

CLIENT_ID = "1111111111.2222222222"
CLIENT_SECRET = "mock-client-secret-0123456789abcdef"
SCOPES = "commands,chat:write"


@dataclass
class Grant:
    """One bot token the local Slack issued to a workspace."""

    token: str
    team_id: str
    team_name: str
    scope: str
    bot_user_id: str
    bot_id: str
    #: Unix time the token stops working (None: never, rotation off).
    expires_at: float | None = None
    refresh_token: str | None = None
    revoked: bool = False

    def problem(self, now: float) -> str | None:
        if self.revoked:
            return "token_revoked"
        if self.expires_at is not None and now >= self.expires_at:
            return "token_expired"
        return None

    def auth_test(self) -> dict[str, Any]:
        domain = self.team_name.lower().replace(" ", "-")
        return {
            "url": f"https://{domain}.slack.com/",
            "team": self.team_name,
            "user": "clickbot",
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }


@dataclass
class OAuthProvider:
    """The app's credentials as Slack knows them, and the grants made to workspaces."""

    client_id: str = CLIENT_ID
    client_secret: str = CLIENT_SECRET
    #: Token rotation (the app's "Opt in" in OAuth & Permissions).
    rotation: bool = False
    token_lifetime: float = 12 * 3600
    #: The app's configured Redirect URL, used when the authorize request names none.
    redirect_url: str | None = None
    #: The workspace whose admin clicks "Allow" next on the authorize page.
    installing: tuple[str, str] = ("T0CLICKBOT", "Acme Growth")
    grants: dict[str, Grant] = field(default_factory=dict)
    codes: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    _serial: itertools.count[int] = field(default_factory=lambda: itertools.count(1), repr=False)

    # --- installing ----------------------------------------------------------

    def authorize(self, team_id: str, team_name: str, scope: str = SCOPES) -> str:
        """An admin of `team_id` allowed the app: the one-time code Slack redirects back with."""
        code = f"{team_id}.{secrets.token_hex(8)}"
        self.codes[code] = (team_id, team_name, scope)
        return code

    async def authorize_page(self, request: Request) -> Response:
        """GET /oauth/v2/authorize: the admin allows at once, back to the redirect URL."""
        query = request.query_params
        if query.get("client_id") != self.client_id:
            return PlainTextResponse("Invalid client_id parameter", status_code=400)
        redirect = query.get("redirect_uri") or self.redirect_url
        if not redirect:
            return PlainTextResponse("No redirect URL configured for this app", status_code=400)
        team_id, team_name = self.installing
        code = self.authorize(team_id, team_name, query.get("scope") or SCOPES)
        back = {"code": code, "state": query.get("state", "")}
        return RedirectResponse(f"{redirect}?{urlencode(back)}", status_code=302)

    def access(self, args: dict[str, Any], authorization: str | None) -> dict[str, Any]:
        """`oauth.v2.access`: a code (or, with rotation, a refresh token) for a bot token."""
        client_id, client_secret = _basic(authorization) or (
            args.get("client_id"),
            args.get("client_secret"),
        )
        if client_id != self.client_id:
            raise ApiError("invalid_client_id")
        if client_secret != self.client_secret:
            raise ApiError("bad_client_secret")
        if args.get("grant_type") == "refresh_token":
            return self._refresh(str(args.get("refresh_token", "")))
        code = self.codes.pop(str(args.get("code", "")), None)
        if code is None:
            raise ApiError("invalid_code")
        team_id, team_name, scope = code
        grant = self._issue(team_id, team_name, scope)
        return {
            "app_id": APP_ID,
            "authed_user": {"id": "U0ADMIN"},
            "enterprise": None,
            "is_enterprise_install": False,
            "team": {"id": team_id, "name": team_name},
            **self._token_fields(grant),
        }

    def _refresh(self, refresh_token: str) -> dict[str, Any]:
        old = next((g for g in self.grants.values() if g.refresh_token == refresh_token), None)
        if old is None or old.revoked:
            raise ApiError("invalid_refresh_token")
        old.refresh_token = None
        old.expires_at = min(old.expires_at or 0.0, time.time())  # replaced: stops working
        grant = self._issue(old.team_id, old.team_name, old.scope, old.bot_user_id)
        return {"team": {"id": grant.team_id, "name": grant.team_name}, **self._token_fields(grant)}

    def _issue(self, team_id: str, team_name: str, scope: str, user: str | None = None) -> Grant:
        serial = next(self._serial)
        prefix = "xoxe.xoxb" if self.rotation else "xoxb"
        grant = Grant(
            token=f"{prefix}-{team_id}-{serial}-{secrets.token_hex(12)}",
            team_id=team_id,
            team_name=team_name,
            scope=scope,
            bot_user_id=user or f"U0BOT{team_id[-4:]}",
            bot_id=f"B0BOT{team_id[-4:]}",
        )
        if self.rotation:
            grant.expires_at = time.time() + self.token_lifetime
            grant.refresh_token = f"xoxe-1-{team_id}-{serial}-{secrets.token_hex(12)}"
        self.grants[grant.token] = grant
        return grant

    def _token_fields(self, grant: Grant) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "access_token": grant.token,
            "token_type": "bot",
            "scope": grant.scope,
            "bot_user_id": grant.bot_user_id,
        }
        if grant.expires_at is not None:
            fields["expires_in"] = int(grant.expires_at - time.time())
            fields["refresh_token"] = grant.refresh_token
        return fields

    # --- using and losing tokens -----------------------------------------------

    def check(self, token: str) -> Grant | None:
        """The grant behind `token` (None: not one of ours), or ApiError if it no longer works."""
        grant = self.grants.get(token)
        if grant is not None and (problem := grant.problem(time.time())) is not None:
            raise ApiError(problem)
        return grant

    def tokens_of(self, team_id: str) -> list[str]:
        """The tokens issued to `team_id` that still work."""
        now = time.time()
        return [
            g.token for g in self.grants.values() if g.team_id == team_id and not g.problem(now)
        ]

    def uninstall(self, team_id: str) -> str:
        """An admin removed the app: every token of `team_id` is revoked; the event body."""
        self._revoke(team_id)
        return event_body(team_id, {"type": "app_uninstalled"})

    def revoke_tokens(self, team_id: str) -> str:
        """The bot's tokens of `team_id` revoked (the app stays listed): the event body."""
        self._revoke(team_id)
        event = {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": [f"U0BOT{team_id[-4:]}"]}}
        return event_body(team_id, event)

    def _revoke(self, team_id: str) -> None:
        for grant in self.grants.values():
            if grant.team_id == team_id:
                grant.revoked = True


def event_body(team_id: str, event: dict[str, Any]) -> str:
    """An Events API `event_callback` as Slack POSTs it."""
    now = int(time.time())
    return json.dumps(
        {
            "token": "legacy-verification-token",
            "team_id": team_id,
            "api_app_id": APP_ID,
            "event": {**event, "event_ts": f"{now}.000100"},
            "type": "event_callback",
            "event_id": f"Ev{secrets.token_hex(5).upper()}",
            "event_time": now,
            "authorizations": [],
        }
    )


def send_event(events_url: str, signing_secret: str, body: str) -> httpx.Response:
    """POST an event body to the app, signed as Slack signs it."""
    headers = signed_headers(signing_secret, body, content_type="application/json")
    return httpx.post(events_url, content=body, headers=headers, timeout=10)


def _basic(header: str | None) -> tuple[str, str] | None:
    if not header or not header.startswith("Basic "):
        return None
    try:
        user, _, password = base64.b64decode(header[len("Basic ") :]).decode().partition(":")
    except ValueError:
        return None
    return user, password
