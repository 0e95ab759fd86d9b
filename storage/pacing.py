"""ClickMeter's pacing shared through PostgreSQL: pyrate-limiter's GCRA on one row per API key.

`PostgresStateStore` is a pyrate-limiter `StateStore`, the PostgreSQL counterpart of its
`RedisStateStore`: `clickmeter.SharedPacers(lambda name: PostgresStateStore(engine, name))`
gives every process on the database one schedule per key, so ClickMeter's 10 requests/s hold
across web replicas and workers. Each check is one short transaction: the key's row is locked
(`SELECT ... FOR UPDATE`), GCRA's own `step` decides, and an admitted request's new theoretical
arrival time is written back; a refused one waits the time GCRA names and asks again.

Why not pyrate-limiter's `PostgresBucket`: it runs on psycopg's synchronous pool, so every
check would block the event loop (and bring a second PostgreSQL driver beside asyncpg), and
it is a log bucket (a row per request, counted and trimmed) that ignores a rate's burst, so it
would let a whole window's budget out at once where ClickMeter wants requests spaced. Here the
state is a few integers and the time is the database's (`clock_timestamp()`), so processes on
machines whose clocks disagree still share one schedule.
"""

from __future__ import annotations

from collections.abc import Sequence

from pyrate_limiter import WallClock
from pyrate_limiter.abstracts.algorithm import Decision, State, StateAlgorithm
from pyrate_limiter.abstracts.rate import Rate
from pyrate_limiter.abstracts.store import StateStore
from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.models import ClickMeterPacing

#: The database's time in milliseconds since the epoch, as pyrate-limiter counts it.
_DATABASE_NOW_MS = func.floor(func.extract("epoch", func.clock_timestamp()) * 1000)


class PostgresStateStore(StateStore):
    """One key's GCRA state in `clickmeter_pacing`, atomic across processes by a row lock."""

    is_async = True
    #: Only for what the bucket reports (`count`); decisions use the database's clock.
    default_clock = WallClock()

    def __init__(self, engine: AsyncEngine, key: str) -> None:
        self.engine = engine
        self.key = key

    async def check(
        self, algorithm: StateAlgorithm, rates: list[Rate], now: int, weight: int
    ) -> Decision:
        # `now` (the caller's clock) is replaced by the database's: one clock for everyone.
        async with self.engine.begin() as connection:
            await connection.execute(
                postgresql.insert(ClickMeterPacing)
                .values(key=self.key, state=[])
                .on_conflict_do_nothing(index_elements=["key"])
            )
            row = (
                await connection.execute(
                    select(ClickMeterPacing.state, _DATABASE_NOW_MS)
                    .where(ClickMeterPacing.key == self.key)
                    .with_for_update()
                )
            ).one()
            state = self._state(algorithm, rates, row[0])
            advanced, decision = algorithm.step(rates, state, int(row[1]), weight)
            if decision.allowed:
                await connection.execute(
                    update(ClickMeterPacing)
                    .where(ClickMeterPacing.key == self.key)
                    .values(state=[int(value) for value in advanced])
                )
        return decision

    async def read(self, algorithm: StateAlgorithm, rates: list[Rate]) -> State:
        async with self.engine.connect() as connection:
            stored = await connection.scalar(
                select(ClickMeterPacing.state).where(ClickMeterPacing.key == self.key)
            )
        return self._state(algorithm, rates, stored)

    async def reset(self) -> None:
        async with self.engine.begin() as connection:
            await connection.execute(
                delete(ClickMeterPacing).where(ClickMeterPacing.key == self.key)
            )

    @staticmethod
    def _state(algorithm: StateAlgorithm, rates: list[Rate], stored: Sequence[int] | None) -> State:
        # A different number of rates (another release's) starts afresh rather than misread.
        if not stored or len(stored) != len(rates):
            return algorithm.initial(rates)
        return algorithm.decode([str(value) for value in stored])
