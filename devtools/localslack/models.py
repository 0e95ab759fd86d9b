"""The data the mock Slack keeps: workspace, channels, users, messages, calls, faults."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

TEAM_ID = "T0CLICKBOT"
TEAM = "Acme Growth"
TEAM_DOMAIN = "acme-growth"
BOT_USER_ID = "U0CLICKBOT"
BOT_USER = "clickbot"
BOT_ID = "B0CLICKBOT"
APP_ID = "A0CLICKBOT"


class ApiError(Exception):
    """Answer `{"ok": false, "error": code}` (plus `response_metadata.messages` if any)."""

    def __init__(self, code: str, messages: list[str] | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.messages = messages or []

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error": self.code}
        if self.messages:
            body["response_metadata"] = {"messages": self.messages}
        return body


@dataclass
class Channel:
    id: str
    name: str
    is_member: bool = True
    is_archived: bool = False
    is_private: bool = False
    #: A direct message with a user (opened by posting to the user's id).
    is_im: bool = False
    created: int = 1_700_000_000

    def info(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "name_normalized": self.name,
            "is_channel": not self.is_private and not self.is_im,
            "is_group": False,
            "is_im": self.is_im,
            "is_mpim": False,
            "is_private": self.is_private,
            "is_archived": self.is_archived,
            "is_general": self.name == "general",
            "is_member": self.is_member,
            "is_shared": False,
            "is_ext_shared": False,
            "is_org_shared": False,
            "created": self.created,
            "creator": "U0ADMIN",
            "context_team_id": TEAM_ID,
        }


@dataclass
class User:
    id: str
    name: str
    real_name: str = ""
    tz: str = "Europe/Rome"
    tz_offset: int = 3600
    is_bot: bool = False
    is_admin: bool = False
    is_owner: bool = False
    email: str | None = None

    def info(self) -> dict[str, Any]:
        real_name = self.real_name or self.name
        profile: dict[str, Any] = {
            "real_name": real_name,
            "display_name": self.name,
            "team": TEAM_ID,
        }
        if self.email:
            profile["email"] = self.email
        return {
            "id": self.id,
            "team_id": TEAM_ID,
            "name": self.name,
            "real_name": real_name,
            "deleted": False,
            "tz": self.tz,
            "tz_label": self.tz,
            "tz_offset": self.tz_offset,
            "is_bot": self.is_bot,
            "is_admin": self.is_admin,
            "is_owner": self.is_owner,
            "profile": profile,
        }


@dataclass
class UserGroup:
    """A user group (`@growth-leads`): its id (`S…`), handle and members' ids."""

    id: str
    handle: str
    name: str = ""
    users: list[str] = field(default_factory=list)

    def info(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "team_id": TEAM_ID,
            "handle": self.handle,
            "name": self.name or self.handle,
            "user_count": len(self.users),
            "date_delete": 0,
        }


def default_channels() -> list[Channel]:
    return [
        Channel("C0GENERAL", "general"),
        Channel("C0MARKETING", "marketing"),
        Channel("C0RANDOM", "random", is_member=False),
        Channel("C0OLDNEWS", "old-campaigns", is_archived=True),
    ]


def default_users() -> list[User]:
    return [
        User(BOT_USER_ID, BOT_USER, "ClickBot", is_bot=True),
        User("U0ALICE", "alice", "Alice Rossi", email="alice@acme.example", is_admin=True),
        User("U0BOB", "bob", "Bob Smith", tz="America/New_York", tz_offset=-18000),
    ]


@dataclass
class Message:
    """A message in a channel (`thread_ts` set on replies and on thread parents)."""

    channel: str
    ts: str
    text: str = ""
    blocks: list[Any] | None = None
    attachments: list[Any] | None = None
    metadata: dict[str, Any] | None = None
    thread_ts: str | None = None
    user: str | None = BOT_USER_ID
    bot_id: str | None = BOT_ID
    files: list[dict[str, Any]] | None = None
    edited_ts: str | None = None
    reply_broadcast: bool = False
    replies: list[str] = field(default_factory=list)

    @property
    def is_reply(self) -> bool:
        return self.thread_ts is not None and self.thread_ts != self.ts

    def to_api(self, *, with_metadata: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "message", "ts": self.ts, "text": self.text}
        if self.user:
            out["user"] = self.user
        if self.bot_id:
            out["bot_id"] = self.bot_id
            out["app_id"] = APP_ID
            out["bot_profile"] = {"id": self.bot_id, "app_id": APP_ID, "name": BOT_USER}
        out["team"] = TEAM_ID
        for key in ("blocks", "attachments", "files", "thread_ts"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        if self.files is not None:
            out["upload"] = True
        if self.edited_ts:
            out["edited"] = {"user": self.user, "ts": self.edited_ts}
        if self.replies:
            out["reply_count"] = len(self.replies)
            out["latest_reply"] = self.replies[-1]
            out["reply_users"] = [BOT_USER_ID]
        if self.reply_broadcast:
            out["subtype"] = "thread_broadcast"
        if with_metadata and self.metadata is not None:
            out["metadata"] = self.metadata
        return out


@dataclass(frozen=True)
class Ephemeral:
    channel: str
    user: str
    ts: str
    text: str
    blocks: list[Any] | None
    thread_ts: str | None


@dataclass(frozen=True)
class RecordedCall:
    method: str
    token: str | None
    args: dict[str, Any]
    #: Unix time the call arrived.
    at: float = 0.0
    #: HTTP status answered (429 for rate limits, 5xx for injected faults, 0 for disconnects).
    status: int = 200
    #: `error` of a `{"ok": false}` answer, or the fault kind for injected faults.
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == 200 and self.error is None


FaultKind = Literal["ratelimited", "http_error", "disconnect", "delay"]


@dataclass
class Fault:
    """An injected failure for the next `times` calls (to `method`, or to any method)."""

    kind: FaultKind
    method: str | None = None
    times: int = 1
    #: HTTP status for `http_error`.
    status: int = 503
    #: Retry-After seconds for `ratelimited`.
    retry_after: int = 1
    #: Extra latency for `delay` (then the call is answered normally).
    seconds: float = 0.0
    #: A storm: every matching call from `starts` until `until` (`time.time()`, the clock
    #: `RecordedCall.at` is on)
    #: fails, whatever `times` says. `until` None: the next `times` calls.
    starts: float = 0.0
    until: float | None = None

    def matches(self, method: str, now: float) -> bool:
        if self.method is not None and self.method != method:
            return False
        if self.until is not None:
            return self.starts <= now < self.until
        return self.times > 0


@dataclass(frozen=True)
class ResponsePost:
    """One JSON body POSTed to a minted `response_url`."""

    response_id: str
    body: dict[str, Any]
    at: float
    #: Empty when the body was accepted; else the error it was answered with.
    error: str | None = None
