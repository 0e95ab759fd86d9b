"""The alert modal over real signed HTTP: opened from the App Home or the global shortcut
(views.open on the local Slack, which validates it), its scope searched as typed
(`block_suggestion`, answered from the sandbox), and submitted (`view_submission`). The people
are the permissions tests' (Alice an admin, Bob a plain member, Dana in @growth-leads)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from bot.answers.alert_modal import (
    EDIT_ALERT_ACTION,
    NEW_ALERT_ACTION,
    NEW_ALERT_SHORTCUT,
    SCOPE_ACTION,
)
from devtools.localslack.interactions import (
    block_suggestion_payload,
    errors_problems,
    options_problems,
    shortcut_payload,
)
from devtools.localslack.signed import (
    TEAM_ID,
    USER_ID,
    block_actions_body,
    interaction_body,
    view_submission_payload,
)
from tests.bot.home.conftest import HomeBot
from tests.bot.permissions.conftest import alert_bot, database_url, home_bot

__all__ = ["alert_bot", "database_url", "home_bot"]


def selected(value: str) -> dict[str, Any]:
    return {"type": "static_select", "selected_option": {"value": value}}


def values(
    scope: str | None,
    condition: str = "spike",
    *,
    sensitivity: str = "medium",
    clicks: str | None = None,
    window: str = "3600",
    channel: str | None = "C0MARKETING",
) -> dict[str, dict[str, dict[str, Any]]]:
    """A submitted state, as Slack sends it for the modal's inputs."""
    state: dict[str, dict[str, dict[str, Any]]] = {
        "scope": {"scope": {"type": "external_select", "selected_option": None}},
        "condition": {"condition": selected(condition)},
        "sensitivity": {"sensitivity": selected(sensitivity)},
        "clicks": {"clicks": {"type": "plain_text_input", "value": clicks}},
        "window": {"window": selected(window)},
        "channel": {"channel": {"type": "conversations_select", "selected_conversation": channel}},
    }
    if scope is not None:
        state["scope"]["scope"]["selected_option"] = {"value": scope}
    return state


@dataclass
class ModalBot:
    home: HomeBot

    def _post(self, payload: dict[str, Any]) -> httpx.Response:
        return self.home.bot.driver.post(interaction_body(payload))

    def _opened(self, send: Any) -> dict[str, Any]:
        slack = self.home.slack.slack
        seen = len(slack.calls_to("views.open"))
        send(slack.mint_trigger_id())
        (call,) = slack.wait_for(lambda: slack.calls_to("views.open")[seen:])
        assert call.error is None, call.error
        return dict(slack.opened_views[-1])

    def from_shortcut(self, user: str = USER_ID) -> dict[str, Any]:
        """Run the global shortcut as `user`: the modal it opened."""

        def send(trigger: str) -> None:
            answer = self._post(
                shortcut_payload(NEW_ALERT_SHORTCUT, user_id=user, trigger_id=trigger)
            )
            assert answer.status_code == 200

        return self._opened(send)

    def from_home(self, user: str = USER_ID) -> dict[str, Any]:
        """Click the App Home's New alert button as `user`: the modal it opened."""
        view = self.home.open(user=user)

        def send(trigger: str) -> None:
            body = block_actions_body(
                NEW_ALERT_ACTION,
                value="",
                view=view,
                user_id=user,
                block_id="home_new",
                response_url=None,
                trigger_id=trigger,
            )
            assert self.home.bot.driver.post(body).status_code == 200

        return self._opened(send)

    def edit(self, rule_id: int, user: str = USER_ID) -> dict[str, Any]:
        """Click Edit on the rule's App Home row as `user`: the modal it opened."""
        view = self.home.open(user=user)

        def send(trigger: str) -> None:
            body = block_actions_body(
                EDIT_ALERT_ACTION,
                value=str(rule_id),
                view=view,
                user_id=user,
                block_id=f"alert_{rule_id}_actions",
                response_url=None,
                trigger_id=trigger,
            )
            assert self.home.bot.driver.post(body).status_code == 200

        return self._opened(send)

    def from_home_button(self, action_id: str, user: str = USER_ID) -> dict[str, Any]:
        """Click one of the App Home's New buttons as `user`: the modal it opened."""
        view = self.home.open(user=user)

        def send(trigger: str) -> None:
            body = block_actions_body(
                action_id,
                value="",
                view=view,
                user_id=user,
                block_id="home_new",
                response_url=None,
                trigger_id=trigger,
            )
            assert self.home.bot.driver.post(body).status_code == 200

        return self._opened(send)

    def suggest(
        self,
        view: dict[str, Any],
        typed: str,
        block_id: str = "scope",
        action_id: str = SCOPE_ACTION,
    ) -> dict[str, Any]:
        """Type `typed` in the view's external select: the options the app answered (checked
        as Slack would)."""
        answer = self._post(block_suggestion_payload(view, block_id, action_id, typed))
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert options_problems(body) == []
        return dict(body)

    def submit(
        self, view: dict[str, Any], state: dict[str, Any], user: str = USER_ID
    ) -> httpx.Response:
        payload = view_submission_payload(view, state, user_id=user, team_id=TEAM_ID)
        answer = self._post(payload)
        assert answer.status_code == 200, answer.text
        if answer.text:
            assert errors_problems(view, answer.json()) == []
        return answer


@pytest.fixture
def modal_bot(home_bot: HomeBot) -> ModalBot:
    return ModalBot(home_bot)


def options(answer: dict[str, Any]) -> dict[str, list[tuple[str, str]]]:
    """Group label -> [(value, text)] of an options answer."""
    return {
        group["label"]["text"]: [(o["value"], o["text"]["text"]) for o in group["options"]]
        for group in answer.get("option_groups") or []
    }
