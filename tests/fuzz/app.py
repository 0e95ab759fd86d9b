"""The real `clickbot web` process under fuzzing, and how generated requests reach it.

One process for the whole fuzz package (started as a deployment starts it, settings from the
environment only, `tests/deploy/environment.py`), the session's sandbox behind it and a local
Slack of its own beside it. Requests go out signed with Slack's v0 signature over one
kept-alive connection; the app's output (its whole log) is read by a thread as it comes, so a
test can check what the process logged while it took that test's inputs.

Requests go out a batch at a time, concurrently (`post_many`, as Slack sends them: many
workspaces' users at once), and answers are checked after a test, not after each request: an
answer takes tens of milliseconds to come back, an ack a few, and waiting for each would make
10,000 inputs take minutes. `unanswered` waits for every response_url of a test at once.
"""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from devtools.localslack import MockSlackServer
from devtools.localslack.signed import FORM_CONTENT_TYPE as FORM
from devtools.localslack.signed import signed_headers, slash_command_body
from tests.conftest import Sandbox
from tests.deploy.environment import SIGNING_SECRET, deployment_env, start_clickbot
from tests.servers import free_port

#: What may never appear in the app's log (the response URLs' paths are checked apart).
RESPONSE_PATH = "/response/"
#: Requests in flight at once (the kept-alive pool holds as many connections).
CONCURRENCY = 8


@dataclass
class FuzzedApp:
    """A running `clickbot web`: post to it, then check its answers and its log."""

    url: str
    slack: MockSlackServer
    process: subprocess.Popen[str]
    secrets: tuple[str, ...]
    http: httpx.Client
    pool: ThreadPoolExecutor
    log: list[str] = field(default_factory=list)
    #: How many generated requests the app has taken (all tests of the package).
    sent: int = 0

    def post(self, body: str | bytes, content_type: str | None = None) -> httpx.Response:
        """POST `body` to /slack/events, signed as Slack signs it."""
        headers = signed_headers(
            SIGNING_SECRET, body, content_type=FORM if content_type is None else content_type
        )
        return self.http.post(f"{self.url}/slack/events", content=body, headers=headers)

    def post_many(
        self, bodies: Sequence[str | bytes], content_type: str | None = None
    ) -> list[httpx.Response]:
        """`post` each of `bodies`, concurrently; the answers in the same order."""
        self.sent += len(bodies)
        return list(self.pool.map(lambda body: self.post(body, content_type), bodies))

    def commands(self, texts: Sequence[str]) -> list[tuple[httpx.Response, str]]:
        """`/clickmeter text` for each text, each with a fresh response_url: (ack, url)."""
        urls = [self.slack.response_url() for _ in texts]
        bodies = [slash_command_body(t, response_url=u) for t, u in zip(texts, urls, strict=True)]
        return list(zip(self.post_many(bodies), urls, strict=True))

    def unanswered(self, response_urls: Iterable[str], timeout: float = 60.0) -> list[str]:
        """The response_urls no answer was posted to within `timeout` (all of them waited for
        at once); an answer Slack refused counts as none."""
        waiting = set(response_urls)
        deadline = time.monotonic() + timeout
        while waiting and time.monotonic() < deadline:
            with self.slack.slack.lock:
                posts = list(self.slack.slack.response_posts)
            answered = {p.response_id for p in posts if p.error is None}
            waiting = {url for url in waiting if url.rsplit(RESPONSE_PATH, 1)[-1] not in answered}
            if waiting:
                time.sleep(0.05)
        return sorted(waiting)

    def log_since(self, start: int) -> list[str]:
        """The app's log lines from line `start` on (`len(app.log)` taken earlier)."""
        return self.log[start:]

    def log_problems(self, lines: list[str]) -> list[str]:
        """Log lines that are a failure: an ERROR, a traceback, a secret or a response URL."""
        return [
            line
            for line in lines
            if " ERROR " in line
            or "CRITICAL" in line
            or "Traceback" in line
            or RESPONSE_PATH in line
            or any(secret in line for secret in self.secrets)
        ]


def _read_into(stream: Iterable[str], lines: list[str]) -> None:
    for line in stream:
        lines.append(line.rstrip("\n"))


@contextmanager
def fuzzed_app(sandbox: Sandbox, home: Path) -> Iterator[FuzzedApp]:
    """`clickbot web` on a free port with a SQLite alert database, until the block ends."""
    with MockSlackServer() as slack:
        port = free_port()
        env = deployment_env(
            sandbox, slack, home, f"sqlite:///{home / 'clickbot.db'}", PORT=str(port)
        )
        process = start_clickbot("web", env, home)
        log: list[str] = []
        assert process.stdout is not None
        reader = threading.Thread(target=_read_into, args=(process.stdout, log), daemon=True)
        reader.start()
        url = f"http://127.0.0.1:{port}"
        try:
            with httpx.Client(timeout=10) as http, ThreadPoolExecutor(CONCURRENCY) as pool:
                _wait_up(http, url, process, log)
                secrets = (sandbox.api_key, slack.token, SIGNING_SECRET)
                yield FuzzedApp(url, slack, process, secrets, http, pool, log)
        finally:
            process.terminate()
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)
            reader.join(10)
            # Kept beside its database: what to read when a run fails.
            (home / "app.log").write_text("\n".join(log))


def _wait_up(http: httpx.Client, url: str, process: subprocess.Popen[str], log: list[str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("clickbot web exited at start-up:\n" + "\n".join(log))
        try:
            if http.get(f"{url}/healthz").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError("clickbot web did not answer /healthz within 60 s:\n" + "\n".join(log))
