"""roll fields

Optional roll fields for closure settlements and payment files: routing number, class of
worker (Bangladesh Labour Act 2006 s.4), arrears, earned leave days, festival bonus and
overtime due.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 16:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_COLUMNS = (
    ("routing_number", sa.String(length=9)),
    ("worker_class", sa.String(length=20)),
    ("arrears_due", sa.BigInteger()),
    ("earned_leave_days", sa.Integer()),
    ("festival_bonus_due", sa.BigInteger()),
    ("overtime_due", sa.BigInteger()),
)


def upgrade() -> None:
    with op.batch_alter_table("roll_workers", schema=None) as batch_op:
        for name, kind in _COLUMNS:
            batch_op.add_column(sa.Column(name, kind, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("roll_workers", schema=None) as batch_op:
        for name, _ in reversed(_COLUMNS):
            batch_op.drop_column(name)
