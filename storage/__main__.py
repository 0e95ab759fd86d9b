"""The schema from a shell, for developers (deploys run `clickbot migrate`), with `DATABASE_URL`
(or `--url`):

    python -m storage upgrade [head]
    python -m storage downgrade base
    python -m storage current
    python -m storage revision -m "add digests" --rev-id 0002 [--autogenerate]
"""

from __future__ import annotations

import argparse
import asyncio

from alembic import command
from sqlalchemy.ext.asyncio import AsyncEngine

from config import StorageSettings
from storage.connect import make_engine
from storage.migrate import alembic_config, configured_on, current, downgrade, upgrade


async def _autogenerate(engine: AsyncEngine, message: str, rev_id: str) -> None:
    async with engine.connect() as connection:
        await connection.run_sync(
            lambda sync: command.revision(
                configured_on(sync), message=message, rev_id=rev_id, autogenerate=True
            )
        )


async def _on_url(url: str, args: argparse.Namespace) -> None:
    engine = make_engine(url)
    try:
        if args.command == "current":
            print(await current(engine) or "(none)")
        elif args.command == "revision":
            await _autogenerate(engine, args.message, args.rev_id)
        elif args.command == "upgrade":
            await upgrade(engine, args.revision)
        else:
            await downgrade(engine, args.revision)
    finally:
        await engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m storage")
    parser.add_argument("--url", help="database URL (default: DATABASE_URL or its default)")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("upgrade").add_argument("revision", nargs="?", default="head")
    commands.add_parser("downgrade").add_argument("revision")
    commands.add_parser("current")
    revision = commands.add_parser("revision", help="write a new migration script")
    revision.add_argument("-m", "--message", required=True)
    revision.add_argument("--rev-id", required=True, help="e.g. 0002: scripts sort by it")
    revision.add_argument("--autogenerate", action="store_true")
    args = parser.parse_args(argv)
    if args.command == "revision" and not args.autogenerate:
        # A blank script needs no database.
        command.revision(alembic_config(), message=args.message, rev_id=args.rev_id)
        return 0
    url: str = args.url or StorageSettings().database_url
    asyncio.run(_on_url(url, args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
