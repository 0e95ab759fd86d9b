"""Workspaces' own ClickMeter accounts: their API keys encrypted at rest with Fernet.

`KeyBox` is CLICKBOT_SECRET_KEY as a `MultiFernet`: the first key encrypts, every key decrypts,
so a new key goes first and the old one stays after it until `rotate` has re-encrypted every
stored key (`clickbot rotate-keys`). A key is decrypted only to build that workspace's client.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from pydantic import SecretStr
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ClickMeterAccount
from storage.types import utcnow

__all__ = ["Accounts", "ClickMeterAccount", "InvalidToken", "KeyBox", "NewAccount"]


class KeyBox:
    """Encrypts and decrypts API keys with the keys of CLICKBOT_SECRET_KEY (comma-separated,
    the current one first)."""

    def __init__(self, secret_keys: SecretStr | str) -> None:
        raw = secret_keys.get_secret_value() if isinstance(secret_keys, SecretStr) else secret_keys
        keys = [k.strip() for k in raw.split(",") if k.strip()]
        if not keys:
            raise ValueError("CLICKBOT_SECRET_KEY holds no key")
        self._fernet = MultiFernet([Fernet(k) for k in keys])

    def seal(self, api_key: str) -> str:
        return self._fernet.encrypt(api_key.encode()).decode()

    def open(self, sealed: str) -> SecretStr:
        """The API key; `InvalidToken` when no key of CLICKBOT_SECRET_KEY encrypted it."""
        return SecretStr(self._fernet.decrypt(sealed.encode()).decode())

    def rotate(self, sealed: str) -> str:
        """The same API key encrypted with the first key (MultiFernet.rotate)."""
        return self._fernet.rotate(sealed.encode()).decode()


@dataclass(frozen=True, slots=True)
class NewAccount:
    """What `/me` said about an account at connect time."""

    account_name: str
    time_zone: str
    plan: str | None


class Accounts:
    """Which ClickMeter account each workspace connected."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, team_id: str) -> ClickMeterAccount | None:
        return await self.session.get(ClickMeterAccount, team_id)

    async def connect(
        self,
        team_id: str,
        encrypted_key: str,
        account: NewAccount,
        connected_by: str | None,
        at: datetime | None = None,
    ) -> ClickMeterAccount:
        """Store `team_id`'s account, replacing any it had."""
        row = await self.get(team_id)
        if row is None:
            row = ClickMeterAccount(team_id=team_id)
            self.session.add(row)
        row.encrypted_key = encrypted_key
        row.account_name = account.account_name
        row.time_zone = account.time_zone
        row.plan = account.plan
        row.connected_by = connected_by
        row.connected_at = at or utcnow()
        await self.session.flush()
        return row

    async def disconnect(self, team_id: str) -> bool:
        """Forget `team_id`'s account (and its key); whether it had one."""
        result = await self.session.execute(
            delete(ClickMeterAccount).where(ClickMeterAccount.team_id == team_id)
        )
        return bool(getattr(result, "rowcount", 0))

    async def rotate(self, box: KeyBox) -> int:
        """Re-encrypt every stored key with `box`'s first key; how many there were."""
        rows = list(await self.session.scalars(select(ClickMeterAccount)))
        for row in rows:
            row.encrypted_key = box.rotate(row.encrypted_key)
        await self.session.flush()
        return len(rows)
