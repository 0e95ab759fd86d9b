"""Unfurls with live stats: a ClickMeter tracking link pasted in Slack answered with its numbers.

`TrackingDomains` knows which hosts are the account's tracking domains, `Unfurler` turns the
links of a `link_shared` event into `chat.unfurl`'s `unfurls` (url -> blocks), and `card`
builds the blocks. The tracking URL itself is never requested: a preview must not count as a
click, so everything is asked of the API.
"""

from bot.unfurls.card import MORE_ACTION, LinkCard, card_blocks, read_more_value
from bot.unfurls.domains import TrackingDomains, host_of, same_link
from bot.unfurls.unfurler import Unfurler

__all__ = [
    "MORE_ACTION",
    "LinkCard",
    "TrackingDomains",
    "Unfurler",
    "card_blocks",
    "host_of",
    "read_more_value",
    "same_link",
]
