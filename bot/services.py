"""What listeners need besides Bolt's own arguments, built once per process."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from bot.shares import ShareStore
from clickmeter import ClickMeterClient


@dataclass
class Services:
    clickmeter: ClickMeterClient
    shares: ShareStore = field(default_factory=ShareStore)
    #: The current time; tests may pin it. None means the real clock.
    now: Callable[[], datetime] | None = None
