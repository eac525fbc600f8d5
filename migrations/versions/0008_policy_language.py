"""policy language: dated policy versions, a chosen version per event, line basis, co-payment

Policy versions carry the dates they are in force; an event may pin a version an officer
chose; each entitlement line keeps its legal basis and Bengali words; each entitlement keeps
the factory's part of a co-paid amount.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("policy_versions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("effective_from", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("effective_to", sa.Date(), nullable=True))
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("policy_version_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_events_policy_version_id_policy_versions"),
            "policy_versions",
            ["policy_version_id"],
            ["id"],
        )
    with op.batch_alter_table("entitlements", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("factory_share_minor", sa.BigInteger(), server_default="0", nullable=False)
        )
    with op.batch_alter_table("entitlement_lines", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("basis", sa.String(length=120), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("bn", sa.String(length=300), server_default="", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("entitlement_lines", schema=None) as batch_op:
        batch_op.drop_column("bn")
        batch_op.drop_column("basis")
    with op.batch_alter_table("entitlements", schema=None) as batch_op:
        batch_op.drop_column("factory_share_minor")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_events_policy_version_id_policy_versions"), type_="foreignkey"
        )
        batch_op.drop_column("policy_version_id")
    with op.batch_alter_table("policy_versions", schema=None) as batch_op:
        batch_op.drop_column("effective_to")
        batch_op.drop_column("effective_from")
