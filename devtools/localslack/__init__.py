"""A local Slack Web API, for tests and the terminal demo: checks tokens and Block Kit, keeps
messages, records calls, fails on demand. Serve it with `MockSlackServer` and point slack_sdk
at `.api_url`:

    with MockSlackServer() as server:
        client = AsyncWebClient(token=server.token, base_url=server.api_url)
        await client.chat_postMessage(channel="C0GENERAL", text="hi")
        assert server.slack.last_message("C0GENERAL").text == "hi"
        server.slack.rate_limit(retry_after=1, method="chat.postMessage")  # next call → 429

`chat.unfurl` is checked as Slack does and recorded in `MockSlack.unfurls` (`unfurls.py`);
`events.link_shared_body` makes the event a pasted link sends.

Default channels: C0GENERAL (#general), C0MARKETING, C0RANDOM (bot not a member),
C0OLDNEWS (archived). Users: U0CLICKBOT (the bot), U0ALICE, U0BOB.
"""

from devtools.localslack.app import MockSlack
from devtools.localslack.blockkit import validate_blocks, validate_view
from devtools.localslack.models import (
    BOT_USER_ID,
    TEAM_ID,
    Channel,
    Ephemeral,
    Fault,
    Message,
    RecordedCall,
    ResponsePost,
    User,
)
from devtools.localslack.server import MockSlackServer

__all__ = [
    "BOT_USER_ID",
    "TEAM_ID",
    "Channel",
    "Ephemeral",
    "Fault",
    "Message",
    "MockSlack",
    "MockSlackServer",
    "RecordedCall",
    "ResponsePost",
    "User",
    "validate_blocks",
    "validate_view",
]
