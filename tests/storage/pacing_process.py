"""One process of the shared-pacing test: from a given wall-clock instant, `count` ClickMeter
requests as fast as this process's pacing lets them out (the deployment's own wiring,
`bot.pacing.pacing_for`), one attempt each; prints how many came back 429.

    python -m tests.storage.pacing_process SANDBOX_URL API_KEY COUNT START_AT \\
        DATABASE_URL [SEARCH_PATH]        # REDIS_URL from the environment, if set
"""

from __future__ import annotations

import asyncio
import sys
import time

from bot.pacing import pacing_for
from bot.runtime import CLICKMETER_REQUESTS_PER_SECOND
from clickmeter import ClickMeterClient, RateLimitedError
from config import StorageSettings, load_group
from storage import Database


async def main(url: str, key: str, count: int, start_at: float, db_url: str, schema: str) -> int:
    settings = load_group(StorageSettings, database_url=db_url)
    db = Database(settings.database_url, **({"search_path": schema} if schema else {}))
    pacing = pacing_for(settings, db)
    pacer = pacing.source(key, CLICKMETER_REQUESTS_PER_SECOND) if pacing.source else None
    refused = 0
    try:
        async with ClickMeterClient(
            key,
            base_url=url,
            max_attempts=1,
            requests_per_second=CLICKMETER_REQUESTS_PER_SECOND,
            pacer=pacer,
        ) as client:
            await asyncio.sleep(max(0.0, start_at - time.time()))
            for _ in range(count):
                try:
                    await client.me()
                except RateLimitedError:
                    refused += 1
    finally:
        await pacing.aclose()
        await db.dispose()
    print(f"{pacing.place}: {refused} refused")
    return refused


if __name__ == "__main__":
    url, key, count, start_at, db_url, *rest = sys.argv[1:]
    asyncio.run(main(url, key, int(count), float(start_at), db_url, rest[0] if rest else ""))
