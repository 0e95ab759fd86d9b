"""The workspace state behind the mock and the Web API methods that read and change it.

Methods take the call's arguments (already parsed from query, form or JSON body) and return
the `ok: true` body, or raise `ApiError` for an `ok: false` answer.
"""

from __future__ import annotations

import base64
import binascii
import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from devtools.localslack import blockkit
from devtools.localslack.args import as_bool, as_int, json_arg, message_content
from devtools.localslack.models import (
    BOT_USER_ID,
    TEAM_DOMAIN,
    TEAM_ID,
    ApiError,
    Channel,
    Ephemeral,
    Message,
    User,
    UserGroup,
    default_channels,
    default_users,
)

Handler = Callable[["Workspace", dict[str, Any], str], dict[str, Any]]
METHODS: dict[str, Handler] = {}


def api(name: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        METHODS[name] = handler
        return handler

    return register


@dataclass
class UploadedFile:
    id: str
    filename: str
    length: int
    alt_txt: str | None = None
    title: str | None = None
    content: bytes | None = None
    channels: list[str] = field(default_factory=list)

    def info(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.filename,
            "title": self.title or self.filename,
            "size": len(self.content or b""),
            "user": BOT_USER_ID,
            "channels": self.channels,
            "permalink": f"https://{TEAM_DOMAIN}.slack.com/files/{BOT_USER_ID}/{self.id}",
        }


@dataclass
class Workspace:
    channels: dict[str, Channel] = field(
        default_factory=lambda: {c.id: c for c in default_channels()}
    )
    users: dict[str, User] = field(default_factory=lambda: {u.id: u for u in default_users()})
    #: User groups by id (`devtools.localslack.people`): usergroups.list / usergroups.users.list.
    usergroups: dict[str, UserGroup] = field(default_factory=dict)
    #: Source of message timestamps (unix seconds); swap in a fake clock if needed.
    clock: Callable[[], float] = time.time
    #: views.open accepts trigger ids it did not mint (see `mint_trigger_id`).
    accept_unknown_triggers: bool = True
    ephemerals: list[Ephemeral] = field(default_factory=list)
    home_views: dict[str, dict[str, Any]] = field(default_factory=dict)
    opened_views: list[dict[str, Any]] = field(default_factory=list)
    files: dict[str, UploadedFile] = field(default_factory=dict)
    #: Accepted chat.unfurl calls (`devtools.localslack.unfurls.Unfurl`), oldest first.
    unfurls: list[Any] = field(default_factory=list)
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)
    _messages: dict[str, list[Message]] = field(default_factory=dict, repr=False)
    _last_ts: float = field(default=0.0, repr=False)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1), repr=False)
    _triggers: dict[str, float | None] = field(default_factory=dict, repr=False)

    # --- helpers for tests --------------------------------------------------

    def add_channel(
        self, channel_id: str, name: str, *, is_member: bool = True, is_archived: bool = False
    ) -> Channel:
        with self.lock:
            channel = Channel(channel_id, name, is_member=is_member, is_archived=is_archived)
            self.channels[channel_id] = channel
            return channel

    def add_user(self, user: User) -> User:
        with self.lock:
            self.users[user.id] = user
            return user

    def messages(self, channel: str, *, include_replies: bool = True) -> list[Message]:
        """Messages of a channel (id or name), oldest first."""
        with self.lock:
            found = self._find_channel(channel)
            stored = self._messages.get(found.id if found else channel, [])
            return [m for m in stored if include_replies or not m.is_reply]

    def last_message(self, channel: str) -> Message | None:
        stored = self.messages(channel)
        return stored[-1] if stored else None

    def post_user_message(
        self, channel: str, text: str, *, user: str = "U0ALICE", thread_ts: str | None = None
    ) -> Message:
        """A message from a human (e.g. to reply to, or to find in history); `channel` may be
        a user id for the DM with them. With `thread_ts`, a reply in that thread."""
        with self.lock:
            found = self._find_channel(channel)
            if found is None:
                raise KeyError(channel)
            message = Message(found.id, self._next_ts(), text=text, user=user, bot_id=None)
            return self._add(message, self._thread_parent(found, thread_ts))

    def thread(self, channel: str, ts: str) -> list[Message]:
        """The replies in the thread of message `ts` (or of the thread `ts` is a reply in),
        oldest first, without the parent."""
        with self.lock:
            found = self._find_channel(channel)
            stored = self._messages.get(found.id if found else channel, [])
            start = next((m for m in stored if m.ts == ts), None)
            root = start.thread_ts if start is not None and start.is_reply else ts
            return [m for m in stored if m.thread_ts == root and m.ts != root]

    def mint_trigger_id(self) -> str:
        """A trigger id views.open accepts once, within 3 seconds (by `clock`)."""
        with self.lock:
            trigger = f"{next(self._ids)}.{int(self.clock())}.{'0f' * 16}"
            self._triggers[trigger] = self.clock()
            return trigger

    # --- internals ----------------------------------------------------------

    def _next_ts(self) -> str:
        now = max(self.clock(), self._last_ts + 0.000001)
        self._last_ts = now
        return f"{now:.6f}"

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}0{next(self._ids):08d}"

    def _find_channel(self, ref: str) -> Channel | None:
        if ref in self.channels:
            return self.channels[ref]
        if ref in self.users:  # posting to a user id goes to the DM with them
            dm_id = "D" + ref[1:]
            if dm_id not in self.channels:
                self.channels[dm_id] = Channel(dm_id, ref, is_private=True, is_im=True)
            return self.channels[dm_id]
        name = ref.removeprefix("#")
        return next((c for c in self.channels.values() if c.name == name), None)

    def _channel(self, args: dict[str, Any], key: str = "channel", *, write: bool) -> Channel:
        ref = args.get(key)
        channel = self._find_channel(ref) if isinstance(ref, str) and ref else None
        if channel is None:
            raise ApiError("channel_not_found")
        if write and channel.is_archived:
            raise ApiError("is_archived")
        if not channel.is_member:
            raise ApiError("not_in_channel")
        return channel

    def _message(self, channel: Channel, ts: object) -> Message:
        for message in self._messages.get(channel.id, []):
            if message.ts == ts:
                return message
        raise ApiError("message_not_found")

    def _user(self, user_id: object) -> User:
        if not isinstance(user_id, str) or user_id not in self.users:
            raise ApiError("user_not_found")
        return self.users[user_id]

    def _thread_parent(self, channel: Channel, thread_ts: object) -> Message | None:
        if thread_ts in (None, ""):
            return None
        parent = next((m for m in self._messages.get(channel.id, []) if m.ts == thread_ts), None)
        if parent is None:
            raise ApiError("thread_not_found")
        return self._message(channel, parent.thread_ts) if parent.is_reply else parent

    def _add(self, message: Message, parent: Message | None) -> Message:
        self._messages.setdefault(message.channel, []).append(message)
        if parent is not None:
            parent.thread_ts = parent.ts
            message.thread_ts = parent.ts
            parent.replies.append(message.ts)
        return message


def _page(items: list[Any], args: dict[str, Any], default: int) -> tuple[list[Any], str]:
    limit = max(1, min(as_int(args.get("limit"), default) or default, 999))
    start = 0
    cursor = args.get("cursor")
    if cursor:
        try:
            start = int(base64.b64decode(str(cursor)).decode().removeprefix("offset:"))
        except (ValueError, binascii.Error):
            raise ApiError("invalid_cursor") from None
    end = start + limit
    next_cursor = base64.b64encode(f"offset:{end}".encode()).decode() if end < len(items) else ""
    return items[start:end], next_cursor


# --- chat.* -------------------------------------------------------------------


@api("chat.postMessage")
def chat_post_message(ws: Workspace, args: dict[str, Any], base: str) -> dict[str, Any]:
    channel = ws._channel(args, write=True)
    content = message_content(args, require=True)
    parent = ws._thread_parent(channel, args.get("thread_ts"))
    message = Message(channel.id, ws._next_ts(), **content)
    message.reply_broadcast = parent is not None and as_bool(args.get("reply_broadcast"))
    ws._add(message, parent)
    return {"channel": channel.id, "ts": message.ts, "message": message.to_api()}


@api("chat.postEphemeral")
def chat_post_ephemeral(ws: Workspace, args: dict[str, Any], base: str) -> dict[str, Any]:
    channel = ws._channel(args, write=True)
    user = ws._user(args.get("user"))
    content = message_content(args, require=True)
    thread_ts = args.get("thread_ts") or None
    ephemeral = Ephemeral(
        channel.id, user.id, ws._next_ts(), content["text"], content["blocks"], thread_ts
    )
    ws.ephemerals.append(ephemeral)
    return {"message_ts": ephemeral.ts}


@api("chat.update")
def chat_update(ws: Workspace, args: dict[str, Any], base: str) -> dict[str, Any]:
    channel = ws._channel(args, write=True)
    message = ws._message(channel, args.get("ts"))
    if message.bot_id is None:
        raise ApiError("cant_update_message")
    content = message_content(args, require=True)
    for key in ("text", "blocks", "attachments", "metadata"):
        if key in args:
            setattr(message, key, content[key])
    message.edited_ts = f"{ws.clock():.6f}"
    return {
        "channel": channel.id,
        "ts": message.ts,
        "text": message.text,
        "message": message.to_api(),
    }


@api("chat.delete")
def chat_delete(ws: Workspace, args: dict[str, Any], base: str) -> dict[str, Any]:
    channel = ws._channel(args, write=True)
    message = ws._message(channel, args.get("ts"))
    if message.bot_id is None:
        raise ApiError("cant_delete_message")
    ws._messages[channel.id].remove(message)
    return {"channel": channel.id, "ts": message.ts}


@api("chat.getPermalink")
def chat_get_permalink(ws: Workspace, args: dict[str, Any], base: str) -> dict[str, Any]:
    channel = ws._find_channel(str(args.get("channel") or ""))
    if channel is None:
        raise ApiError("channel_not_found")
    message = ws._message(channel, args.get("message_ts"))
    link = f"https://{TEAM_DOMAIN}.slack.com/archives/{channel.id}/p{message.ts.replace('.', '')}"
    if message.is_reply:
        link += f"?thread_ts={message.thread_ts}&cid={channel.id}"
    return {"channel": channel.id, "permalink": link}


# --- conversations.* ------------------------------------------------------------


@api("conversations.info")
def conversations_info(ws: Workspace, args: dict[str, Any], base: str) -> dict[str, Any]:
    channel = ws._find_channel(str(args.get("channel") or ""))
    if channel is None:
        raise ApiError("channel_not_found")
    return {"channel": channel.info()}


def _in_window(ts: str, args: dict[str, Any]) -> bool:
    inclusive = as_bool(args.get("inclusive"))
    value = float(ts)
    oldest = float(args.get("oldest") or 0)
    latest = float(args["latest"]) if args.get("latest") else None
    if value < oldest or (value == oldest and not inclusive and oldest):
        return False
    return latest is None or value < latest or (value == latest and inclusive)


@api("conversations.history")
def conversations_history(ws: Workspace, args: dict[str, Any], base: str) -> dict[str, Any]:
    channel = ws._channel(args, write=False)
    meta = as_bool(args.get("include_all_metadata"))
    found = [
        m
        for m in reversed(ws._messages.get(channel.id, []))
        if (not m.is_reply or m.reply_broadcast) and _in_window(m.ts, args)
    ]
    page, cursor = _page(found, args, 100)
    return {
        "messages": [m.to_api(with_metadata=meta) for m in page],
        "has_more": bool(cursor),
        "pin_count": 0,
        "response_metadata": {"next_cursor": cursor},
    }


@api("conversations.replies")
def conversations_replies(ws: Workspace, args: dict[str, Any], base: str) -> dict[str, Any]:
    channel = ws._channel(args, write=False)
    parent = ws._thread_parent(channel, args.get("ts") or "")
    if parent is None:
        raise ApiError("thread_not_found")
    meta = as_bool(args.get("include_all_metadata"))
    thread = [parent] + [ws._message(channel, ts) for ts in parent.replies]
    page, cursor = _page([m for m in thread if _in_window(m.ts, args)], args, 1000)
    return {
        "messages": [m.to_api(with_metadata=meta) for m in page],
        "has_more": bool(cursor),
        "response_metadata": {"next_cursor": cursor},
    }


# --- views.* and users.* ----------------------------------------------------------


def _view(ws: Workspace, args: dict[str, Any], kind: str) -> dict[str, Any]:
    view = json_arg(args, "view", "invalid_arguments")
    if not isinstance(view, dict):
        raise ApiError("invalid_arguments", [blockkit.error("missing required field: view", "")])
    problems = blockkit.validate_view(view)
    if not problems and view.get("type") != kind:
        problems = [blockkit.error("must be a valid enum value", "/view/type")]
    if problems:
        raise ApiError("invalid_arguments", problems)
    view_id = ws._new_id("V")
    return {
        **view,
        "id": view_id,
        "team_id": TEAM_ID,
        "state": {"values": {}},
        "hash": f"{int(ws.clock())}.{view_id}",
        "private_metadata": view.get("private_metadata", ""),
        "callback_id": view.get("callback_id", ""),
        "app_id": "A0CLICKBOT",
        "bot_id": "B0CLICKBOT",
    }


@api("views.publish")
def views_publish(ws: Workspace, args: dict[str, Any], base: str) -> dict[str, Any]:
    user = ws._user(args.get("user_id"))
    view = _view(ws, args, "home")
    ws.home_views[user.id] = view
    return {"view": view}


@api("views.open")
def views_open(ws: Workspace, args: dict[str, Any], base: str) -> dict[str, Any]:
    trigger = args.get("trigger_id")
    if not isinstance(trigger, str) or not trigger:
        raise ApiError(
            "invalid_arguments", [blockkit.error("missing required field: trigger_id", "")]
        )
    if trigger in ws._triggers:
        minted = ws._triggers[trigger]
        if minted is None:
            raise ApiError("exchanged_trigger_id")
        if ws.clock() - minted > 3.0:
            raise ApiError("expired_trigger_id")
    elif not ws.accept_unknown_triggers:
        raise ApiError("invalid_trigger_id")
    view = _view(ws, args, "modal")
    ws._triggers[trigger] = None
    ws.opened_views.append(view)
    return {"view": view}


@api("views.update")
def views_update(ws: Workspace, args: dict[str, Any], base: str) -> dict[str, Any]:
    """Replace an open modal (by view_id or external_id); a `hash` that is not the view's
    current one is refused as Slack does (the view changed since it was read)."""
    view_id, external = args.get("view_id"), args.get("external_id")
    if not view_id and not external:
        raise ApiError("invalid_arguments", [blockkit.error("missing required field: view_id", "")])
    found = [
        i
        for i, v in enumerate(ws.opened_views)
        if v["id"] == view_id or (external and v.get("external_id") == external)
    ]
    if not found:
        raise ApiError("not_found")
    index = found[0]
    current = ws.opened_views[index]
    given_hash = args.get("hash")
    if given_hash and given_hash != current["hash"]:
        raise ApiError("hash_conflict")
    view = _view(ws, args, "modal")
    view["id"] = current["id"]
    ws.opened_views[index] = view
    return {"view": view}


@api("users.info")
def users_info(ws: Workspace, args: dict[str, Any], base: str) -> dict[str, Any]:
    return {"user": ws._user(args.get("user")).info()}
