"""Messages asked in plain words claimed by the process answering them, shared by web replicas.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "answered_messages",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("message_ts", sa.String(length=32), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint(
            "team_id", "channel_id", "message_ts", name=op.f("pk_answered_messages")
        ),
    )
    op.create_index(
        "ix_answered_messages_claimed_at", "answered_messages", ["claimed_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_answered_messages_claimed_at", table_name="answered_messages")
    op.drop_table("answered_messages")
