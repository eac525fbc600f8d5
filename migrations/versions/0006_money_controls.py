"""money controls: payee changes (four eyes) and the verification draw's recorded seed

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 17:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "payee_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("line_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("method", sa.String(length=10), nullable=False),
        sa.Column("wallet_number", sa.String(length=11), nullable=True),
        sa.Column("bank_account", sa.String(length=50), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.String(length=500), nullable=False),
        sa.Column("new_line_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "state IN ('requested', 'approved', 'rejected')", name=op.f("ck_payee_changes_state")
        ),
        sa.CheckConstraint(
            "method IN ('mobile', 'bank', 'cash')", name=op.f("ck_payee_changes_method")
        ),
        sa.CheckConstraint(
            "decided_by_id IS NULL OR decided_by_id <> requested_by_id",
            name=op.f("ck_payee_changes_four_eyes"),
        ),
        sa.CheckConstraint(
            "(state = 'requested') = (decided_by_id IS NULL)",
            name=op.f("ck_payee_changes_decided_when_closed"),
        ),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["disbursement_batches.id"],
            name=op.f("fk_payee_changes_batch_id_disbursement_batches"),
        ),
        sa.ForeignKeyConstraint(
            ["line_id"], ["payment_lines.id"], name=op.f("fk_payee_changes_line_id_payment_lines")
        ),
        sa.ForeignKeyConstraint(
            ["new_line_id"],
            ["payment_lines.id"],
            name=op.f("fk_payee_changes_new_line_id_payment_lines"),
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"], ["users.id"], name=op.f("fk_payee_changes_requested_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_payee_changes_decided_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payee_changes")),
    )
    with op.batch_alter_table("payee_changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_payee_changes_batch_id"), ["batch_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_payee_changes_line_id"), ["line_id"], unique=False)
        batch_op.create_index(
            "uq_payee_changes_line_open",
            ["line_id"],
            unique=True,
            sqlite_where=sa.text("state = 'requested'"),
            postgresql_where=sa.text("state = 'requested'"),
        )
    with op.batch_alter_table("verification_draws", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seed", sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("verification_draws", schema=None) as batch_op:
        batch_op.drop_column("seed")
    with op.batch_alter_table("payee_changes", schema=None) as batch_op:
        batch_op.drop_index("uq_payee_changes_line_open")
        batch_op.drop_index(batch_op.f("ix_payee_changes_line_id"))
        batch_op.drop_index(batch_op.f("ix_payee_changes_batch_id"))
    op.drop_table("payee_changes")
