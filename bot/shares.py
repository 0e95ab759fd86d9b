"""Answers kept for a while so "Share in channel" reposts exactly what the user saw.

An ephemeral message is not sent back to the app when its button is clicked, so the answer is
kept here, keyed by the id in the button's value. The store is per process, bounded and
short-lived: after a restart the command is simply run again.
"""

from __future__ import annotations

import secrets
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class SharedAnswer:
    command_text: str
    text: str
    blocks: list[dict[str, Any]]


@dataclass
class ShareStore:
    capacity: int = 2000
    ttl_seconds: float = 24 * 3600
    _items: OrderedDict[str, tuple[float, SharedAnswer]] = field(default_factory=OrderedDict)

    def put(self, answer: SharedAnswer) -> str:
        key = secrets.token_urlsafe(12)
        self._items[key] = (time.monotonic() + self.ttl_seconds, answer)
        while len(self._items) > self.capacity:
            self._items.popitem(last=False)
        return key

    def get(self, key: str) -> SharedAnswer | None:
        entry = self._items.get(key)
        if entry is None:
            return None
        expires, answer = entry
        if expires < time.monotonic():
            del self._items[key]
            return None
        return answer
