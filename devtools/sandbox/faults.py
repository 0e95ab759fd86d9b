"""The body faults of `/_sandbox/faults`: what a successful answer looks like when it goes wrong.

Status faults (500, 429, 401, latency) are decided before a handler runs, in `app`; these take
the handler's good body and spoil it, so a client can be shown every way a 200 can lie: cut-off
JSON, a body that is not JSON, a page shorter than its `count`, a `count` far above the rows
that exist, and a body that arrives a few bytes at a time.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from starlette.responses import JSONResponse, Response, StreamingResponse

from devtools.sandbox.account import Faults
from devtools.sandbox.render import JSON

#: What a garbage body says: an HTML error page, as a proxy in front of a service sends.
GARBAGE = b"<html><body><h1>502 Bad Gateway</h1></body></html>"
#: Bytes sent at a time while trickling.
TRICKLE_BYTES = 16


def spoil(faults: Faults, body: JSON) -> Response:
    """The 200 answer for `body` with every body fault that is switched on applied."""
    if isinstance(body.get("result"), list) and "count" in body:
        # A summary page (`/aggregated/summary/...`): the page faults apply.
        body = dict(body)
        if faults.short_page and body["result"]:
            body["result"] = body["result"][:-1]
        if faults.inflated_count:
            body["count"] = faults.inflated_count
    good = JSONResponse(body)
    if not (faults.truncated_json or faults.garbage_body or faults.trickle_ms):
        return good
    content = GARBAGE if faults.garbage_body else bytes(good.body)
    if faults.truncated_json:
        content = content[: len(content) // 2]
    media = "text/html" if faults.garbage_body else "application/json"
    if not faults.trickle_ms:
        return Response(content, media_type=media)
    return StreamingResponse(_trickle(content, faults.trickle_ms / 1000), media_type=media)


async def _trickle(content: bytes, gap: float) -> AsyncIterator[bytes]:
    for start in range(0, len(content), TRICKLE_BYTES):
        if start:
            await asyncio.sleep(gap)
        yield content[start : start + TRICKLE_BYTES]
