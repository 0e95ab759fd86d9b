"""Many processes on PostgreSQL: outbox claims fenced (each claim of an item raises its
`claim_token`, and a sender's result is recorded only while the token it was given is still the
item's), ClickMeter's pacing shared by every process (`clickmeter_pacing`, one row per API
key, named by a hash), and answers kept for Share in channel on any web replica
(`shared_answers`).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(
            sa.Column("claim_token", sa.Integer(), nullable=False, server_default=sa.text("0"))
        )
    op.create_table(
        "clickmeter_pacing",
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_clickmeter_pacing")),
    )
    op.create_table(
        "shared_answers",
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("command_text", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("blocks", sa.JSON(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_shared_answers")),
    )
    op.create_index("ix_shared_answers_expires_at", "shared_answers", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_shared_answers_expires_at", table_name="shared_answers")
    op.drop_table("shared_answers")
    op.drop_table("clickmeter_pacing")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("claim_token")
