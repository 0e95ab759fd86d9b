"""Drive the bot the way Slack does: signed HTTP to its /slack/events, answers caught by the mock.

Tests and the terminal demo share this, so the demo shows exactly the path the tests check:

    with MockSlackServer() as slack, running_bot(sandbox_url, api_key, slack) as bot:
        answer = bot.ask("stats last7")          # the body the bot POSTed to the response_url
        shared = bot.share(answer)               # click its Share in channel button
        reply = bot.ask_in_words("clicks yesterday?")  # @clickbot in #general: its thread reply
        _, pasted = bot.share_links(["https://s87.eu/spring-sale-garden"])  # link_shared
        unfurls = bot.wait_unfurl(pasted)        # url -> blocks of the bot's chat.unfurl
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx

from bot.services import Services
from bot.web import create_web_app
from clickmeter import ClickMeterClient
from config import SlackSettings, load_group
from devtools.localslack.events import direct_message_body, link_shared_body, mention_body
from devtools.localslack.models import BOT_USER_ID, Message, ResponsePost
from devtools.localslack.server import MockSlackServer
from devtools.localslack.signed import (
    CHANNEL_ID,
    USER_ID,
    block_actions_body,
    signed_headers,
    slash_command_body,
)
from devtools.sandbox.serving import ThreadedServer

if TYPE_CHECKING:
    from storage import Database

#: A made-up secret for local runs only; the bot and its driver agree on it.
SIGNING_SECRET = "7c1d3e0b5a9f48e2b6d4c8a1f0e3b2d5"
SHARE_ACTION = "share_answer"


class DriverError(RuntimeError):
    """The bot did not answer as Slack expects: a refused request, a refused or missing post."""


@dataclass
class BotDriver:
    """A running bot at `url`, the mock Slack it answers to, and an HTTP client to reach it."""

    url: str
    slack: MockSlackServer
    http: httpx.Client
    signing_secret: str = SIGNING_SECRET
    #: The bot's services, when it runs in this process (to see the answers in flight).
    services: Services | None = None

    def post(self, body: str, **signing: Any) -> httpx.Response:
        """POST a form body to /slack/events, signed (see `signed_headers` for `signing`)."""
        headers = signed_headers(self.signing_secret, body, **signing)
        return self.http.post(f"{self.url}/slack/events", content=body, headers=headers)

    def command(self, text: str, **signing: Any) -> tuple[httpx.Response, str]:
        """Send `/clickmeter text`; returns the HTTP answer (the ack) and the response_url."""
        response_url = self.slack.response_url()
        body = slash_command_body(text, response_url=response_url)
        return self.post(body, **signing), response_url

    def responses(self, response_url: str) -> list[ResponsePost]:
        return self.slack.slack.responses_to(response_url)

    def wait_posts(
        self, response_url: str, count: int = 1, timeout: float = 10.0
    ) -> list[ResponsePost]:
        """The first `count` posts to `response_url`, once they are there."""

        def arrived() -> list[ResponsePost] | None:
            found = self.responses(response_url)
            return found if len(found) >= count else None

        try:
            posts = self.slack.slack.wait_for(arrived, timeout)
        except TimeoutError:
            raise DriverError(f"no answer from the bot within {timeout:g}s") from None
        for post in posts[:count]:
            if post.error is not None:
                raise DriverError(f"Slack refused the bot's answer: {post.error}")
        return posts[:count]

    def wait_answer(self, response_url: str, timeout: float = 10.0) -> dict[str, Any]:
        """The first body posted to `response_url` (the command's answer)."""
        return self.wait_posts(response_url, 1, timeout)[0].body

    def ask(self, text: str, timeout: float = 10.0) -> dict[str, Any]:
        """`/clickmeter text` → its answer, or DriverError."""
        ack, response_url = self.command(text)
        if ack.status_code != 200:
            raise DriverError(f"the bot refused the command: HTTP {ack.status_code}")
        return self.wait_answer(response_url, timeout)

    # --- questions in plain words ----------------------------------------------------------

    def send_event(
        self, body: str, *, retry: int | None = None, reason: str = "http_timeout"
    ) -> httpx.Response:
        """POST an Events API body, signed; `retry` marks it as Slack's nth retry of it, sent
        for `reason` (`http_timeout`, `connection_failed`, `http_error`...)."""
        headers = signed_headers(self.signing_secret, body, content_type="application/json")
        if retry is not None:
            headers |= {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": reason}
        return self.http.post(f"{self.url}/slack/events", content=body, headers=headers)

    def mention(
        self,
        text: str,
        *,
        channel: str = CHANNEL_ID,
        user: str = USER_ID,
        thread_ts: str | None = None,
    ) -> tuple[httpx.Response, Message]:
        """`@clickbot text` posted in `channel` (in the thread `thread_ts`), and its
        `app_mention` sent to the bot: the ack, and the message."""
        message = self.slack.slack.post_user_message(
            channel, f"<@{BOT_USER_ID}> {text}", user=user, thread_ts=thread_ts
        )
        return self.send_event(mention_body(message)), message

    def direct_message(
        self, text: str, *, user: str = USER_ID, thread_ts: str | None = None, **extra: Any
    ) -> tuple[httpx.Response, Message]:
        """`text` sent to the bot in `user`'s DM with it, and its `message.im` event."""
        message = self.slack.slack.post_user_message(user, text, user=user, thread_ts=thread_ts)
        return self.send_event(direct_message_body(message, **extra)), message

    def wait_idle(self, timeout: float = 10.0) -> None:
        """Until no answer is being built (every lazy listener started so far has finished)."""
        if self.services is None:
            raise DriverError("the bot runs elsewhere: its answers in flight can't be seen")
        answers = self.services.answers
        try:
            self.slack.slack.wait_for(lambda: len(answers) == 0, timeout)
        except TimeoutError:
            raise DriverError(f"answers still being built after {timeout:g}s") from None

    def thread_replies(self, message: Message) -> list[Message]:
        """The bot's replies in the thread of `message` (or the thread it is in)."""
        replies = self.slack.slack.thread(message.channel, message.ts)
        return [reply for reply in replies if reply.user == BOT_USER_ID]

    def wait_thread_reply(self, message: Message, timeout: float = 10.0) -> Message:
        """The bot's first reply in the thread of `message`, once it is there."""

        def replied() -> Message | None:
            replies = self.thread_replies(message)
            return replies[0] if replies else None

        try:
            return self.slack.slack.wait_for(replied, timeout)
        except TimeoutError:
            raise DriverError(f"no reply in the thread within {timeout:g}s") from None

    def ask_in_words(self, text: str, *, direct: bool = False, timeout: float = 10.0) -> Message:
        """Ask `text` by mentioning the bot in #general (or in a DM): its reply, or DriverError."""
        ack, message = self.direct_message(text) if direct else self.mention(text)
        if ack.status_code != 200:
            raise DriverError(f"the bot refused the event: HTTP {ack.status_code}")
        return self.wait_thread_reply(message, timeout)

    # --- unfurls ---------------------------------------------------------------------------

    def share_links(
        self, urls: list[str], *, channel: str = CHANNEL_ID, user: str = USER_ID
    ) -> tuple[httpx.Response, Message]:
        """A message holding `urls` posted in `channel`, and its `link_shared` sent to the bot:
        the ack, and the message."""
        message = self.slack.slack.post_user_message(
            channel, "have a look: " + " ".join(f"<{url}>" for url in urls), user=user
        )
        return self.send_event(link_shared_body(message, urls)), message

    def unfurls_of(self, message: Message) -> list[Any]:
        """The accepted `chat.unfurl` calls for `message` (`devtools.localslack.unfurls.Unfurl`)."""
        with self.slack.slack.lock:
            return [u for u in self.slack.slack.unfurls if u.ts == message.ts]

    def wait_unfurl(self, message: Message, timeout: float = 10.0) -> dict[str, dict[str, Any]]:
        """url -> unfurl of the bot's first `chat.unfurl` for `message`, once it is there."""
        try:
            found = self.slack.slack.wait_for(lambda: self.unfurls_of(message), timeout)
        except TimeoutError:
            raise DriverError(f"no unfurl within {timeout:g}s") from None
        unfurls: dict[str, dict[str, Any]] = found[0].unfurls
        return unfurls

    def click(self, action_id: str, value: str, **options: Any) -> httpx.Response:
        """Click a button; the response carries its response_url in `.extensions`."""
        response_url = self.slack.response_url()
        body = block_actions_body(action_id, value=value, response_url=response_url, **options)
        response = self.post(body)
        response.extensions["response_url"] = response_url
        return response

    def share(
        self, answer: dict[str, Any], timeout: float = 10.0, **options: Any
    ) -> list[dict[str, Any]]:
        """Click the answer's Share in channel button; the bodies it posts (the in-channel
        message, then the deletion of the private copy)."""
        value = share_button_value(answer)
        if value is None:
            raise DriverError("that answer has no Share in channel button")
        clicked = self.click(SHARE_ACTION, value, **options)
        if clicked.status_code != 200:
            raise DriverError(f"the bot refused the click: HTTP {clicked.status_code}")
        posts = self.wait_posts(clicked.extensions["response_url"], 2, timeout)
        return [post.body for post in posts]


def share_button_value(answer: dict[str, Any]) -> str | None:
    """The value of the answer's Share in channel button, if it has one."""
    for block in answer.get("blocks") or []:
        for element in block.get("elements") or [] if block.get("type") == "actions" else []:
            if element.get("action_id") == SHARE_ACTION and isinstance(element.get("value"), str):
                value: str = element["value"]
                return value
    return None


@contextmanager
def running_bot(
    sandbox_url: str,
    api_key: str,
    slack: MockSlackServer,
    *,
    signing_secret: str = SIGNING_SECRET,
    db: Database | None = None,
    poll_seconds: float = 300.0,
    **client_options: Any,
) -> Iterator[BotDriver]:
    """The real web app (`clickbot web`) on a free port, talking to `slack` and the sandbox.

    `db`: where `/clickmeter alert ...` keeps rules (the app migrates it at start-up; None: alerts
    are not set up), seeded for a poller every `poll_seconds`. `client_options` go to
    `ClickMeterClient` (e.g. `requests_per_second=None`).
    """
    settings = load_group(
        SlackSettings,
        slack_bot_token=slack.token,
        slack_signing_secret=signing_secret,
        slack_api_url=slack.api_url,
        slack_app_token=None,
    )
    services = Services(
        clickmeter=ClickMeterClient(api_key, base_url=sandbox_url, **client_options),
        db=db,
        poll_seconds=poll_seconds,
    )
    with (
        ThreadedServer(create_web_app(settings, services)) as server,
        httpx.Client(timeout=10) as http,
    ):
        yield BotDriver(server.url, slack, http, signing_secret, services)
