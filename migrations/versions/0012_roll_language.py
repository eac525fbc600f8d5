"""roll language

The worker's language as the roll gives it (optional column "Language"/"ভাষা": "bn" or "en"),
which slips use when the worker never told the helpline theirs.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 04:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("roll_workers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(length=2), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("roll_workers", schema=None) as batch_op:
        batch_op.drop_column("language")
