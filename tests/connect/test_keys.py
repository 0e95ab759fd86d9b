"""`clickbot rotate-keys` with two keys; uninstalling deletes the key at once; single-workspace
mode keeps its CLICKMETER_API_KEY."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
from cryptography.fernet import Fernet, InvalidToken
from typer.testing import CliRunner

from cli import app
from storage import Database
from storage.accounts import KeyBox, NewAccount
from tests.bot.alerts.conftest import (  # noqa: F401 - fixtures
    AlertBot,
    alert_bot,
    database_url,
)
from tests.bot.test_check_command import SETTINGS_PREFIXES, migrated
from tests.conftest import SANDBOX_KEY
from tests.connect.conftest import SECOND_KEY, Connecting
from tests.connect.test_connect import FIRST, install, stored

OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def store_keys(url: str, box: KeyBox) -> None:
    async def go() -> None:
        async with Database(url) as db, db.transaction() as tx:
            for team, key in [("T0A", SANDBOX_KEY), ("T0B", SECOND_KEY)]:
                await tx.accounts.connect(team, box.seal(key), NewAccount("A", "UTC", None), None)

    asyncio.run(go())


def sealed_keys(url: str) -> dict[str, str]:
    async def go() -> dict[str, str]:
        async with Database(url) as db, db.reading() as tx:
            return {t: (await tx.accounts.get(t)).encrypted_key for t in ("T0A", "T0B")}  # type: ignore[union-attr]

    return asyncio.run(go())


@pytest.fixture
def database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    for name in list(os.environ):
        if name.startswith((*SETTINGS_PREFIXES, "CLICKBOT_")):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    url = migrated(f"sqlite+aiosqlite:///{tmp_path / 'clickbot.db'}")
    monkeypatch.setenv("DATABASE_URL", url)
    return url


def test_rotate_keys_reencrypts_every_key_with_the_first(
    database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    store_keys(database, KeyBox(OLD))
    before = sealed_keys(database)
    monkeypatch.setenv("CLICKBOT_SECRET_KEY", f"{NEW},{OLD}")

    result = CliRunner().invoke(app, ["rotate-keys"])

    assert result.exit_code == 0, result.output
    assert "re-encrypted 2 workspace key(s)" in result.output
    after = sealed_keys(database)
    assert after != before
    new_only = KeyBox(NEW)
    assert new_only.open(after["T0A"]).get_secret_value() == SANDBOX_KEY
    assert new_only.open(after["T0B"]).get_secret_value() == SECOND_KEY
    with pytest.raises(InvalidToken):
        KeyBox(OLD).open(after["T0A"])
    assert SANDBOX_KEY not in result.output


def test_rotate_keys_without_the_old_key_changes_nothing(
    database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    store_keys(database, KeyBox(OLD))
    before = sealed_keys(database)
    monkeypatch.setenv("CLICKBOT_SECRET_KEY", NEW)

    result = CliRunner().invoke(app, ["rotate-keys"])

    assert result.exit_code == 1
    assert "keep the old key" in result.output
    assert sealed_keys(database) == before


async def test_uninstalling_deletes_the_key_at_once(connecting: Connecting) -> None:
    install(connecting, FIRST)
    connecting.connect(FIRST, SANDBOX_KEY)
    assert "/clickmeter connect" not in connecting.ask(FIRST, "stats")["text"]
    client = connecting.cached_client(FIRST)

    answer = connecting.event(connecting.slack.slack.oauth.uninstall(FIRST))

    assert answer.status_code == 200
    assert await stored(connecting) == []
    assert client._http._client.is_closed


def test_single_workspace_mode_keeps_the_environments_key(alert_bot: AlertBot) -> None:  # noqa: F811
    answer = alert_bot.ask("connect")
    assert "CLICKMETER_API_KEY" in answer["text"]
    assert alert_bot.slack.slack.calls_to("views.open") == []
    assert "/clickmeter connect" not in alert_bot.ask("stats")["text"]
