"""What a rule watches, as one value: the key of its counter snapshots, of its detector's
state and of its episodes.

A rule stores its scope as two columns (`scope_kind`, `scope_ref`, as the Slack command gave
them); `Subject.of_scope` turns them into the subject once, and `Subject.key` is the text the
tables hold: "account", "datapoint:42", "group:9", "tag:email".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

#: ClickMeter's counters: the whole account, one datapoint (a link), a group, a tag.
SubjectKind = Literal["account", "datapoint", "group", "tag"]


@dataclass(frozen=True, order=True, slots=True)
class Subject:
    """One counter a rule watches. `ref` is the datapoint or group id as digits, the tag name
    stripped and lower-cased (tags match case-insensitively), or "" for the account."""

    kind: SubjectKind
    ref: str = ""

    @classmethod
    def of_scope(cls, scope_kind: str, scope_ref: str) -> Subject:
        """The subject of a rule's scope columns. `scope_ref` is ignored for the account.
        Raises ValueError when a link or group scope is not a numeric id, or the kind is
        unknown."""
        ref = scope_ref.strip()
        if scope_kind == "account":
            return ACCOUNT
        if scope_kind == "tag":
            return cls("tag", ref.lower())
        if scope_kind in ("link", "group"):
            if not (ref.isascii() and ref.isdigit()):
                raise ValueError(f"{scope_kind} scope {ref!r} is not an id")
            return cls("datapoint" if scope_kind == "link" else "group", str(int(ref)))
        raise ValueError(f"unknown scope kind {scope_kind!r}")

    @property
    def key(self) -> str:
        """The subject as the tables and detector states store it."""
        return self.kind if self.kind == "account" else f"{self.kind}:{self.ref}"

    @property
    def link_id(self) -> int | None:
        """The datapoint's id when the subject is one link (what an alert's **Show link
        stats** button opens); None otherwise."""
        return int(self.ref) if self.kind == "datapoint" else None

    def __str__(self) -> str:
        return self.key


ACCOUNT = Subject("account")
