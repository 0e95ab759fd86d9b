"""Digests, and the outbox kind that carries them ('slack.digest').

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26

Adds the `digests` table and widens the outbox's `kind` check to 'slack.digest'. SQLite cannot
alter a CHECK constraint, so there the outbox is rebuilt from the table as 0001 defined it
(Alembic batch mode with `copy_from`: nothing is left to reflection, which loses CHECKs); rows,
ids and indexes are kept. PostgreSQL just swaps the constraint.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_KINDS = "kind IN ('slack.post', 'slack.update', 'slack.reply', 'webhook')"
NEW_KINDS = "kind IN ('slack.post', 'slack.update', 'slack.reply', 'webhook', 'slack.digest')"


def _when() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _outbox(kinds: str) -> sa.Table:
    """The outbox as 0001 created it, with the given kind check (for SQLite's rebuild)."""
    return sa.Table(
        "outbox",
        sa.MetaData(),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("target", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("episode_id", sa.Integer(), nullable=True),
        sa.Column("depends_on", sa.Integer(), nullable=True),
        sa.Column("dedupe_key", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", _when(), nullable=False),
        sa.Column("lease_expires_at", _when(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", _when(), nullable=False),
        sa.Column("sent_at", _when(), nullable=True),
        sa.Column("result", sa.JSON(none_as_null=True), nullable=True),
        sa.CheckConstraint(kinds, name="ck_outbox_kind"),
        sa.CheckConstraint(
            "status IN ('pending', 'sending', 'sent', 'failed', 'dead')", name="ck_outbox_status"
        ),
        sa.ForeignKeyConstraint(["depends_on"], ["outbox.id"], name="fk_outbox_depends_on_outbox"),
        sa.ForeignKeyConstraint(
            ["episode_id"],
            ["alert_episodes.id"],
            name="fk_outbox_episode_id_alert_episodes",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
        sa.UniqueConstraint("team_id", "dedupe_key", name="uq_outbox_team_id_dedupe_key"),
        sa.Index("ix_outbox_depends_on", "depends_on"),
        sa.Index("ix_outbox_episode_id", "episode_id"),
        sa.Index("ix_outbox_due", "status", "next_attempt_at"),
    )


def _set_outbox_kinds(old: str, new: str) -> None:
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("outbox", copy_from=_outbox(old), recreate="always") as batch:
            batch.drop_constraint(op.f("ck_outbox_kind"), type_="check")
            batch.create_check_constraint(op.f("ck_outbox_kind"), sa.text(new))
        return
    op.drop_constraint(op.f("ck_outbox_kind"), "outbox", type_="check")
    op.create_check_constraint(op.f("ck_outbox_kind"), "outbox", sa.text(new))


def upgrade() -> None:
    op.create_table(
        "digests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("cadence", sa.String(length=16), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=True),
        sa.Column("at_time", sa.String(length=5), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("reports", sa.JSON(), nullable=False),
        sa.Column("links_filter", sa.Text(), nullable=True),
        sa.Column("created_at", _when(), nullable=False),
        sa.Column("removed_at", _when(), nullable=True),
        sa.Column("last_run_for", sa.Date(), nullable=True),
        sa.Column("next_run_at", _when(), nullable=True),
        sa.CheckConstraint(
            "cadence IN ('daily', 'weekdays', 'weekly')", name=op.f("ck_digests_cadence")
        ),
        sa.CheckConstraint(
            "(cadence = 'weekly' AND weekday BETWEEN 0 AND 6) "
            "OR (cadence <> 'weekly' AND weekday IS NULL)",
            name=op.f("ck_digests_weekday"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_digests")),
    )
    op.create_index("ix_digests_team_active", "digests", ["team_id", "removed_at"])
    _set_outbox_kinds(OLD_KINDS, NEW_KINDS)


def downgrade() -> None:
    # Digest items cannot stay under the old check: they go first.
    op.execute(sa.text("DELETE FROM outbox WHERE kind = 'slack.digest'"))
    _set_outbox_kinds(NEW_KINDS, OLD_KINDS)
    op.drop_table("digests")  # its index goes with it
