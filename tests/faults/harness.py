"""The fault suite's stack, shared by `tests/faults` and `bench/faults.py`: real `clickbot web`
and `clickbot worker` processes (started by `tests.deploy.environment.start_clickbot`, their
output in one log file each), the sandbox and the local Slack over real HTTP, a tarpit webhook
receiver, and a PostgreSQL database of their own.

    with postgres_database() as url, Stack.open(tmp_path, url) as stack:
        worker = stack.start("worker")
        ...
        assert stack.leaks() == []
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any, Self, TypeVar

import httpx
from sqlalchemy import select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import create_async_engine

from alerts.notice import AlertNotice, NoticeKind
from alerts.outbox import enqueue_alert, enqueue_webhook
from devtools.localslack import Message, MockSlackServer
from devtools.localslack.signed import (
    FORM_CONTENT_TYPE,
    TEAM_ID,
    USER_ID,
    signed_headers,
    slash_command_body,
)
from devtools.sandbox import SandboxConfig, SandboxServer
from storage import Database, OutboxItem, Transaction, Webhook, utcnow
from tests.conftest import SANDBOX_KEY, Sandbox
from tests.deploy.environment import SIGNING_SECRET, deployment_env, start_clickbot
from tests.servers import free_port

T = TypeVar("T")
POSTGRES_URL_VARIABLE = "CLICKBOT_TEST_POSTGRES_URL"
DEFAULT_POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"

#: What may never be in a log line besides the secrets themselves: request bodies (every slash
#: command body carries the legacy token field, every event body `event_callback`), response
#: URLs (the local Slack mints them under `/response/`; Slack's own live on hooks.slack.com),
#: SQL parameters (SQLAlchemy writes them as `[parameters: ...]`) and tracebacks.
FORBIDDEN = (
    "legacy-verification-token",
    "event_callback",
    "BODY-MARKER",
    "/response/T0",
    "hooks.slack.com",
    "[parameters:",
    "Traceback",
)
#: Put in bodies the suite sends, so a logged body is found even when it is not Slack's.
BODY_MARKER = "BODY-MARKER"


class PostgresUnavailable(Exception):
    """No PostgreSQL server to make a database in (the reason is the message)."""


async def _admin(server: str, statement: str) -> None:
    engine = create_async_engine(server, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


@contextmanager
def postgres_database() -> Iterator[str]:
    """A new, empty database on the PostgreSQL server of CLICKBOT_TEST_POSTGRES_URL (default
    127.0.0.1:5432), dropped afterwards; raises `PostgresUnavailable` when it cannot be made."""
    server = os.environ.get(POSTGRES_URL_VARIABLE, "").strip() or DEFAULT_POSTGRES_URL
    name = f"faults_{uuid.uuid4().hex[:12]}"
    try:
        asyncio.run(asyncio.wait_for(_admin(server, f'CREATE DATABASE "{name}"'), 10))
    except (OSError, SQLAlchemyError, TimeoutError) as error:
        where = make_url(server).render_as_string(hide_password=True)
        raise PostgresUnavailable(
            f"the fault suite needs PostgreSQL at {where} ({POSTGRES_URL_VARIABLE}): "
            f"{type(error).__name__}"
        ) from error
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(_admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def start_sandbox(**overrides: Any) -> Sandbox:
    """A sandbox with a live clock (the worker polls "today"), no throttle."""
    config: dict[str, Any] = {"seed": 7, "datapoints": 30, "rate_limit": 0.0, **overrides}
    server = SandboxServer(SandboxConfig(api_key=SANDBOX_KEY, **config)).start()
    return Sandbox(server.url, SANDBOX_KEY, server)


def wait_until(check: Callable[[], T | None], timeout: float, what: str) -> T:
    """Poll `check` until it returns something truthy (returned); AssertionError on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g}s waiting for {what}")
        time.sleep(0.05)


class Logged:
    """A `clickbot` process whose output (stderr too) is copied, line by line, to `log`."""

    def __init__(self, command: str, env: dict[str, str], cwd: Path, log: Path) -> None:
        self.command, self.log = command, log
        self.process = start_clickbot(command, env, cwd)
        self._copier = threading.Thread(target=self._copy, daemon=True)
        self._copier.start()

    def _copy(self) -> None:
        assert self.process.stdout is not None
        with self.log.open("a", encoding="utf-8") as out:
            for line in self.process.stdout:
                out.write(line)
                out.flush()

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8") if self.log.exists() else ""

    def wait_for_output(self, needle: str, timeout: float = 60, count: int = 1) -> None:
        """Until `needle` is `count` times in the output (AssertionError if the process ends
        or the time runs out first)."""

        def seen() -> bool:
            if self.process.poll() is not None and self.output().count(needle) < count:
                raise AssertionError(f"`clickbot {self.command}` ended:\n{self.output()}")
            return self.output().count(needle) >= count

        wait_until(seen, timeout, f"{needle!r} from `clickbot {self.command}`")

    def stop(self, sig: signal.Signals = signal.SIGTERM, timeout: float = 60) -> int:
        """Send `sig` and wait for the end (then SIGKILL); the exit status."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self._copier.join(10)
        return self.process.returncode


class Tarpit:
    """A webhook receiver that never answers: it reads the request, then sends the status line
    and one header byte every `gap` seconds for as long as the client stays. `held` records
    each connection as (opened, closed) wall-clock instants (closed None while held)."""

    def __init__(self, gap: float = 3.0) -> None:
        self.gap = gap
        self.held: list[list[float | None]] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._socket = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/hook"
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        self._socket.settimeout(0.2)
        while not self._stop.is_set():
            try:
                connection, _ = self._socket.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._hold, args=(connection,), daemon=True).start()

    def _hold(self, connection: socket.socket) -> None:
        with self._lock:
            entry: list[float | None] = [time.time(), None]
            self.held.append(entry)
        with connection, suppress(OSError):
            connection.settimeout(5)
            connection.recv(65536)  # the request (its head and small body)
            connection.sendall(b"HTTP/1.1 200 OK\r\nX-Tarpit: ")
            while not self._stop.wait(self.gap):
                connection.sendall(b"a")
        with self._lock:
            entry[1] = time.time()

    def connections(self) -> list[tuple[float, float | None]]:
        with self._lock:
            return [(opened or 0.0, closed) for opened, closed in self.held]

    def close(self) -> None:
        self._stop.set()
        self._socket.close()
        self._thread.join(5)


class Listener:
    """A port on 127.0.0.1 that counts the connections made to it (and answers none)."""

    def __init__(self) -> None:
        self._socket = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._socket.getsockname()[1]
        self.accepted = 0
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self._socket.accept()
            except OSError:
                return
            self.accepted += 1
            connection.close()

    def close(self) -> None:
        self._socket.close()


def notice(n: int, *, at: datetime | None = None) -> AlertNotice:
    return AlertNotice(
        kind=NoticeKind.TEST, team_id=TEAM_ID, at=at or datetime.now(UTC), message=f"alert {n}"
    )


@dataclass
class Stack:
    """Everything a fault scenario runs against; `start` adds clickbot processes."""

    home: Path
    database_url: str
    sandbox: Sandbox
    slack: MockSlackServer
    tarpit: Tarpit
    web_port: int = field(default_factory=free_port)
    processes: list[Logged] = field(default_factory=list)
    _secrets: set[str] = field(default_factory=set)

    @classmethod
    def open(cls, home: Path, database_url: str) -> Stack:
        slack = MockSlackServer().start()
        stack = cls(home, database_url, start_sandbox(), slack, Tarpit())
        stack.run(lambda tx: asyncio.sleep(0))  # migrated before any process starts
        return stack

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # --- processes ---------------------------------------------------------

    def env(self, **more: str) -> dict[str, str]:
        """The stack's settings, `more` overriding them (e.g. PORT for a second replica)."""
        return deployment_env(
            self.sandbox,
            self.slack,
            self.home,
            self.database_url,
            **{"PORT": str(self.web_port), **more},
        )

    def start(self, command: str, **settings: str) -> Logged:
        """`clickbot COMMAND` with the stack's settings plus `settings` (e.g. LOG_FORMAT)."""
        log = self.home / f"{command}-{len(self.processes)}.log"
        process = Logged(command, self.env(**settings), self.home, log)
        self.processes.append(process)
        return process

    @property
    def web_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    def start_web(self, **settings: str) -> Logged:
        """`clickbot web`, once its /healthz answers."""
        web = self.start("web", **settings)

        def up() -> bool:
            if web.process.poll() is not None:
                raise AssertionError(f"`clickbot web` ended:\n{web.output()}")
            try:
                return httpx.get(f"{self.web_url}/healthz", timeout=2).status_code == 200
            except httpx.TransportError:
                return False

        wait_until(up, 60, "the web process's /healthz")
        return web

    def poll_once(self, outcome: str, **settings: str) -> str:
        """Start a worker (its first cycle runs at once), wait for that cycle to end with
        `outcome` ("True" / "False"), let its sender post what the cycle queued, stop it; its
        output."""
        posted = len(self.posts("C0GENERAL"))
        worker = self.start("worker", **settings)
        worker.wait_for_output(f"poll: ok={outcome}")
        output = worker.output()
        queued = int(output.split(f"poll: ok={outcome}", 1)[1].split("items=", 1)[1].split()[0])
        wait_until(lambda: len(self.posts("C0GENERAL")) >= posted + queued, 60, "the notices")
        assert worker.stop() == 0, worker.output()
        return output

    # --- Slack's side of the web process ---------------------------------------

    def command(self, text: str, *, channel: str = "C0GENERAL") -> str:
        """Type `/clickmeter TEXT` in `channel`; the text of the answer."""
        response_url = self.slack.response_url(channel=channel)
        body = slash_command_body(text, channel_id=channel, response_url=response_url)
        ack = self.post_signed(body)
        assert ack.status_code == 200, ack.text
        answers = wait_until(
            lambda: self.slack.slack.responses_to(response_url), 30, f"an answer to {text!r}"
        )
        return str(answers[0].body.get("text", ""))

    def post_signed(self, body: str, content_type: str = FORM_CONTENT_TYPE) -> httpx.Response:
        headers = signed_headers(SIGNING_SECRET, body, content_type=content_type)
        return httpx.post(f"{self.web_url}/slack/events", content=body, headers=headers, timeout=10)

    # --- the local Slack's control endpoints -------------------------------------

    def slack_control(self, action: str, **body: Any) -> dict[str, Any]:
        answer = httpx.post(f"{self.slack.base_url}/_control/{action}", json=body, timeout=10)
        answer.raise_for_status()
        result: dict[str, Any] = answer.json()
        return result

    def posts(self, channel: str) -> list[Message]:
        return self.slack.slack.messages(channel)

    def posted_ids(self, channel: str) -> list[int]:
        """The outbox ids of the bot's posts in `channel`, in the order they were posted."""
        return [
            int(post.metadata["event_payload"]["outbox_id"])
            for post in self.posts(channel)
            if post.metadata and "outbox_id" in post.metadata.get("event_payload", {})
        ]

    # --- the database ------------------------------------------------------------

    def run(self, work: Callable[[Transaction], Awaitable[T]]) -> T:
        """`work` in one transaction on the stack's database (migrated first)."""

        async def go() -> T:
            async with Database(self.database_url) as db:
                await db.ensure_schema()
                async with db.transaction() as tx:
                    return await work(tx)

        return asyncio.run(go())

    def enqueue(self, channel: str, count: int, *, key: str = "alert") -> list[int]:
        """Queue `count` alert notices for `channel`; their outbox ids, in order."""

        async def add(tx: Transaction) -> list[int]:
            ids = []
            for n in range(count):
                item = await enqueue_alert(
                    tx,
                    notice(n),
                    kind="slack.post",
                    channel=channel,
                    dedupe_key=f"{key}-{channel}-{n}-{uuid.uuid4().hex[:8]}",
                )
                ids.append(item.id)
            return ids

        return self.run(add)

    def add_webhook(self, url: str) -> int:
        """A webhook row as if it had been added when `url` was allowed; its id."""

        async def add(tx: Transaction) -> int:
            webhook = await tx.webhooks.add(TEAM_ID, url=url, created_by=USER_ID)
            return webhook.id

        return self.run(add)

    def webhooks(self) -> list[str]:
        """The URLs of the webhooks stored."""

        async def read(tx: Transaction) -> list[str]:
            return list((await tx.session.scalars(select(Webhook.url))).all())

        return self.run(read)

    def enqueue_webhook(self, webhook_id: int) -> int:
        async def add(tx: Transaction) -> int:
            key = f"hook-{uuid.uuid4().hex[:8]}"
            return (await enqueue_webhook(tx, notice(0), webhook_id, dedupe_key=key)).id

        return self.run(add)

    def outbox(self) -> dict[int, OutboxItem]:
        async def read(tx: Transaction) -> dict[int, OutboxItem]:
            items = (await tx.session.scalars(select(OutboxItem))).all()
            return {item.id: item for item in items}

        return self.run(read)

    def lapse_leases(self) -> int:
        """Make what a killed sender had claimed claimable now, as if its leases (20 s,
        DEFAULT_LEASE) had run out; how many items."""

        async def lapse(tx: Transaction) -> int:
            result = await tx.session.execute(
                update(OutboxItem)
                .where(OutboxItem.status == "sending")
                .values(lease_expires_at=utcnow() - timedelta(seconds=1))
            )
            return int(result.rowcount)  # type: ignore[attr-defined]

        return self.run(lapse)

    # --- what must never be logged -----------------------------------------------

    def secrets(self) -> set[str]:
        """The Slack token, the signing secret, the ClickMeter key and every webhook secret."""

        async def webhook_secrets(tx: Transaction) -> list[str]:
            return list((await tx.session.scalars(select(Webhook.secret))).all())

        with suppress(OSError, SQLAlchemyError):
            self._secrets.update(self.run(webhook_secrets))
        return {self.slack.token, SIGNING_SECRET, self.sandbox.api_key, *self._secrets}

    def leaks(self) -> list[str]:
        """Every log line (of every process the stack started) holding a secret, a body, a
        response URL, SQL parameters or a traceback: `file: line`, secrets masked."""
        return find_leaks({p.log.name: p.output() for p in self.processes}, self.secrets())

    def close(self) -> None:
        for process in self.processes:
            process.stop(signal.SIGKILL, timeout=10)
        self.tarpit.close()
        self.slack.stop()
        self.sandbox.close()


def find_leaks(logs: dict[str, str], secrets: set[str]) -> list[str]:
    """The lines of `logs` (name → text) holding one of `secrets` or of `FORBIDDEN`, as
    `name: line` with the secrets masked (a failing test must not print them again)."""
    secrets = {secret for secret in secrets if secret}
    needles = [*secrets, *FORBIDDEN]
    found = []
    for name, output in logs.items():
        for line in output.splitlines():
            if any(needle in line for needle in needles):
                for secret in secrets:
                    line = line.replace(secret, "<secret>")
                found.append(f"{name}: {line[:500]}")
    return found
