"""`SlackPosters`: a poster per workspace with the token its `TokenSource` gives, each with its
own pacing; a refused token is forgotten, a token that cannot be read makes the item wait, and
single-workspace mode shares one poster. Posts go to the local Slack."""

from __future__ import annotations

from alerts.deliver import (
    NOT_INSTALLED,
    FixedToken,
    SlackPoster,
    SlackPosters,
    SlackPostReceiver,
    deliver_once,
)
from devtools.localslack import MockSlackServer
from storage import Database
from tests.alerts.deliver.helpers import FAST, TEAM, drain, fire, item


class Tokens:
    """A token source of the test's: `tokens` by workspace; `broken` raises as a store away."""

    def __init__(self, tokens: dict[str, str], *, broken: bool = False) -> None:
        self.tokens = tokens
        self.broken = broken
        self.forgotten: list[str] = []

    async def token_for(self, team_id: str) -> str | None:
        if self.broken:
            raise ConnectionRefusedError("the database is away")
        return self.tokens.get(team_id)

    def forget(self, team_id: str) -> None:
        self.forgotten.append(team_id)


async def test_each_workspace_has_its_own_poster_and_pacing(mock_slack: MockSlackServer) -> None:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    posters = SlackPosters(
        Tokens({"T0A": "xoxb-a", "T0B": "xoxb-b"}),
        base_url=mock_slack.api_url,
        per_channel_interval=30.0,
        clock=lambda: 100.0,
        sleep=sleep,
    )
    a, b = await posters.poster_for("T0A"), await posters.poster_for("T0B")
    assert a is not None
    assert b is not None
    assert a is not b
    assert (a.client.token, b.client.token) == ("xoxb-a", "xoxb-b")
    await a.pace("C0GENERAL")
    await b.pace("C0GENERAL")  # another workspace's channel: no wait for A's post
    assert waits == []
    await a.pace("C0GENERAL")
    assert waits == [30.0]
    assert await posters.poster_for("T0A") is a  # kept, pacing with it
    assert await posters.poster_for("T0NONE") is None


async def test_a_new_token_keeps_the_workspaces_poster(mock_slack: MockSlackServer) -> None:
    source = Tokens({"T0A": "xoxb-a"})
    posters = SlackPosters(source, base_url=mock_slack.api_url)
    before = await posters.poster_for("T0A")
    source.tokens["T0A"] = "xoxb-rotated"
    after = await posters.poster_for("T0A")
    assert after is before
    assert after is not None
    assert after.client.token == "xoxb-rotated"


async def test_a_refused_token_is_forgotten(db: Database, mock_slack: MockSlackServer) -> None:
    source = Tokens({TEAM: mock_slack.token})
    receiver = SlackPostReceiver(
        SlackPosters(source, base_url=mock_slack.api_url, per_channel_interval=0.01)
    )
    mock_slack.slack.revoke_token()
    episode = await fire(db)
    await drain(db, [receiver])
    assert (await item(db, episode.post_id)).last_error == "token_revoked"
    assert source.forgotten == [TEAM]


async def test_a_workspace_without_a_token_settles_not_installed(
    db: Database, mock_slack: MockSlackServer
) -> None:
    receiver = SlackPostReceiver(SlackPosters(Tokens({}), base_url=mock_slack.api_url))
    episode = await fire(db)
    await drain(db, [receiver])
    dead = await item(db, episode.post_id)
    assert (dead.status, dead.last_error) == ("dead", NOT_INSTALLED)
    assert mock_slack.slack.calls_to("chat.postMessage") == []


async def test_an_unreadable_token_makes_the_item_wait(
    db: Database, mock_slack: MockSlackServer
) -> None:
    source = Tokens({TEAM: mock_slack.token}, broken=True)
    receiver = SlackPostReceiver(
        SlackPosters(source, base_url=mock_slack.api_url, per_channel_interval=0.01)
    )
    episode = await fire(db)
    await deliver_once(db, [receiver], backoff=FAST)
    waiting = await item(db, episode.post_id)
    assert waiting.status == "failed"  # due again after the backoff
    assert "bot token" in (waiting.last_error or "")
    source.broken = False
    await drain(db, [receiver])
    assert (await item(db, episode.post_id)).status == "sent"


async def test_single_workspace_mode_shares_one_poster(mock_slack: MockSlackServer) -> None:
    shared = SlackPoster(mock_slack.token, base_url=mock_slack.api_url)
    posters = SlackPosters.sharing(shared)
    assert isinstance(posters.tokens, FixedToken)
    assert posters.single is shared
    assert await posters.poster_for("T0A") is shared
    assert await posters.poster_for("T0B") is shared
