"""What the demo reads of the sandbox's account: its live links, their groups, today's clicks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: The sandbox's datapoint status for a live link (paused and deleted ones make a dull tour).
ACTIVE = 0


@dataclass(frozen=True)
class DemoLink:
    id: int
    name: str
    group: str
    today_clicks: int


@dataclass(frozen=True)
class DemoAccount:
    """What the demo needs from `/_sandbox/state`: the live links, their groups, today's clicks."""

    links: list[DemoLink]

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> DemoAccount:
        groups = {g["id"]: g["name"] for g in state["groups"]}
        links = [
            DemoLink(dp["id"], dp["name"], groups.get(dp["group_id"], ""), dp["today_clicks"])
            for dp in state["datapoints"]
            if dp["status"] == ACTIVE
        ]
        return cls(links)

    def busiest(self) -> DemoLink:
        return max(self.links, key=lambda link: (link.today_clicks, -link.id))

    def find_link(self, ref: str) -> DemoLink | None:
        ref = ref.strip().strip('"').lower()
        return next((k for k in self.links if ref in (str(k.id), k.name.lower())), None)
