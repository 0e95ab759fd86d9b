"""The user group each workspace names as its clickbot admins (`/clickmeter admins @group`).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
# TEMPORARY: "0005" (a workspace's ClickMeter key, another branch) is not merged yet; whoever
# merges both sets this back to "0005".
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "admin_groups",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("group_id", sa.String(length=32), nullable=False),
        sa.Column("handle", sa.Text(), nullable=False),
        sa.Column("set_by", sa.String(length=32), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("team_id", name=op.f("pk_admin_groups")),
    )


def downgrade() -> None:
    op.drop_table("admin_groups")
