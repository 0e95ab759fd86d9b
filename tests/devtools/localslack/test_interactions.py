"""The local Slack's checks of an options answer (`block_suggestion`), as Slack makes them."""

from __future__ import annotations

from typing import Any

import pytest

from devtools.localslack.interactions import errors_problems, options_problems


def option(text: str, value: str = "v") -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": text}, "value": value}


def grouped(*groups: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "option_groups": [
            {"label": {"type": "plain_text", "text": f"G{i}"}, "options": g}
            for i, g in enumerate(groups)
        ]
    }


def test_answers_slack_shows_pass() -> None:
    assert options_problems({"options": [option("a")]}) == []
    assert options_problems({"options": []}) == []
    assert options_problems(grouped([option("a")] * 50, [option("b")] * 50)) == []


@pytest.mark.parametrize(
    ("answer", "says"),
    [
        (grouped([option("a")] * 60, [option("b")] * 41), "no more than 100 options"),
        ({"options": [option("x" * 76)]}, "text must be 1 to 75"),
        ({"options": [option("a", "v" * 151)]}, "value must be 1 to 150"),
        ({"options": [{"text": {"type": "plain_text", "text": "a"}}]}, "value must be"),
        ({"option_groups": [{"label": {"type": "mrkdwn", "text": "a"}, "options": []}]}, "label"),
        ([], "not an object"),
    ],
)
def test_answers_slack_refuses_are_told(answer: object, says: str) -> None:
    assert any(says in problem for problem in options_problems(answer))


def test_inline_errors_must_name_an_input_of_the_view() -> None:
    view = {
        "blocks": [{"type": "input", "block_id": "scope"}, {"type": "section", "block_id": "s"}]
    }
    assert errors_problems(view, {"response_action": "errors", "errors": {"scope": "No."}}) == []
    assert errors_problems(view, {}) == []  # closing the modal
    assert errors_problems(view, {"response_action": "errors", "errors": {"s": "No."}})
    assert errors_problems(view, {"response_action": "errors", "errors": {"scope": ""}})
    assert errors_problems(view, {"response_action": "errors", "errors": {}})
