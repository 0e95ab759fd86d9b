"""ClickMeter answering 200 with garbage, cut-off JSON or an inflated `count`:
each poll fails cleanly, the team is told of the outage once, then of the recovery once, and
the clicks that piled up meanwhile are no spike.

Each `clickbot worker` run polls once as it starts: five runs are five cycles, in seconds rather
than at the 30 s the poll interval is at least. The count of failed reads is in the database,
so it carries from one run to the next as it would across restarts. (A short page, and each
fault alone, are tests/alerts/engine/test_bad_answers.py's, in process.)
"""

from __future__ import annotations

from typing import Any

from tests.deploy.test_procfile import add_rule
from tests.faults.harness import Stack

#: The sandbox's body faults, one per cycle; OUTAGE comes with the third failed read in a row.
FAULTS: list[dict[str, Any]] = [
    {"garbage_body": True},
    {"truncated_json": True},
    {"inflated_count": 100_000},
]
CLEAR = {"garbage_body": False, "truncated_json": False, "inflated_count": 0}


def test_bad_answers_tell_of_an_outage_once_then_of_the_recovery_and_fire_no_spike(
    stack: Stack,
) -> None:
    add_rule(stack.database_url)  # a spike rule on the account, posting to #general
    stack.poll_once("True")  # the rule's first snapshot
    for fault in FAULTS:
        stack.sandbox.control("faults", {**CLEAR, **fault})
        stack.poll_once("False")
    stack.sandbox.control("faults", CLEAR)
    last = stack.poll_once("True")

    texts = [post.text for post in stack.posts("C0GENERAL")]
    assert len(texts) == 2, texts
    assert "Can't read ClickMeter" in texts[0]
    assert "ClickMeter is back" in texts[1]
    assert "fired=0" in last  # the gap's clicks judged over the whole gap: no spike
