"""DATABASE_URL in the forms platforms set: the async driver picked, or one line saying what to
write instead."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
from sqlalchemy import text

from config import SettingsError, StorageSettings, load_group
from config.database_url import DatabaseUrlError, async_database_url
from storage.connect import make_engine

PASSWORD = "s3cr3t-p@ss"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.mark.parametrize(
    ("given", "used"),
    [
        # Heroku and Render
        (
            "postgres://u:pw@db.example.com:5432/d1",
            "postgresql+asyncpg://u:pw@db.example.com:5432/d1",
        ),
        ("postgresql://u:pw@db.example.com/d1", "postgresql+asyncpg://u:pw@db.example.com/d1"),
        ("postgresql+asyncpg://u@db.example.com/d1", "postgresql+asyncpg://u@db.example.com/d1"),
        ("postgres+asyncpg://u@db.example.com/d1", "postgresql+asyncpg://u@db.example.com/d1"),
        ("sqlite:///clickbot.db", "sqlite+aiosqlite:///clickbot.db"),
        ("sqlite:////var/data/clickbot.db", "sqlite+aiosqlite:////var/data/clickbot.db"),
        ("sqlite+aiosqlite:///clickbot.db", "sqlite+aiosqlite:///clickbot.db"),
        ("sqlite://", "sqlite+aiosqlite://"),
        # libpq's sslmode, as platforms add it, is asyncpg's ssl
        ("postgres://u@h/d?sslmode=require", "postgresql+asyncpg://u@h/d?ssl=require"),
        ("postgresql://u@h/d?ssl=verify-full", "postgresql+asyncpg://u@h/d?ssl=verify-full"),
    ],
)
def test_platform_forms_get_the_async_driver(
    monkeypatch: pytest.MonkeyPatch, given: str, used: str
) -> None:
    assert async_database_url(given).render_as_string(hide_password=False) == used
    monkeypatch.setenv("DATABASE_URL", given)
    assert load_group(StorageSettings).database_url == used


def test_a_password_with_special_characters_survives(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgres://app:s3cr3t-p%40ss@db.example.com:5432/prod")
    url = async_database_url(load_group(StorageSettings).database_url)
    assert url.password == PASSWORD
    assert (url.host, url.port, url.database) == ("db.example.com", 5432, "prod")


@pytest.mark.parametrize(
    ("given", "says"),
    [
        ("postgresql+psycopg2://app:pw@h/d", "postgresql+psycopg2 is a driver clickbot does not"),
        ("sqlite+pysqlite:///clickbot.db", "through aiosqlite: write sqlite+aiosqlite:// or just"),
        ("mysql://app:pw@h/d", "PostgreSQL or SQLite, not mysql:"),
        ("postgres://app:pw@h/d?sslmode=require&application_name=x", "?application_name= is not"),
    ],
)
def test_what_clickbot_cannot_use_gets_one_line(
    monkeypatch: pytest.MonkeyPatch, given: str, says: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", given)
    with pytest.raises(SettingsError) as caught:
        load_group(StorageSettings)
    (line,) = caught.value.problems
    assert line.startswith("DATABASE_URL is invalid: ")
    assert says in line
    assert "pw" not in line.replace("postgres", "")  # the password is never echoed
    assert "\n" not in line


def test_the_engine_accepts_the_same_forms(tmp_path: Path) -> None:
    """`sqlite:///...` used to fail in create_async_engine: "the asyncio extension requires an
    async driver"."""
    engine = make_engine(f"sqlite:///{tmp_path / 'plain.db'}")
    assert engine.url.drivername == "sqlite+aiosqlite"

    async def one() -> int:
        async with engine.connect() as connection:
            return int((await connection.execute(text("SELECT 1"))).scalar_one())

    assert asyncio.run(one()) == 1
    asyncio.run(engine.dispose())
    with pytest.raises(DatabaseUrlError):
        make_engine("postgresql+psycopg2://app@h/d")


def test_heroku_form_with_sslmode_connects_to_postgresql() -> None:
    """`postgres://...?sslmode=...` reaches a real PostgreSQL through asyncpg."""
    server = os.environ.get("CLICKBOT_TEST_POSTGRES_URL")
    if not server:
        pytest.skip("CLICKBOT_TEST_POSTGRES_URL is not set")
    plain = async_database_url(server).set(drivername="postgres")
    heroku = plain.render_as_string(hide_password=False) + "?sslmode=disable"
    engine = make_engine(heroku)

    async def one() -> int:
        async with engine.connect() as connection:
            return int((await connection.execute(text("SELECT 1"))).scalar_one())

    try:
        assert asyncio.run(one()) == 1
    finally:
        asyncio.run(engine.dispose())
