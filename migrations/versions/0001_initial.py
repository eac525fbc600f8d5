"""Initial schema.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

from alembic import op

import fund.models  # noqa: F401
from fund.audit.guards import install_guards
from fund.db import Base
from fund.entitlements.guards import install_entitlement_guards
from fund.rolls.guards import install_roll_guards
from ledger.schema import install

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    install(bind)
    Base.metadata.create_all(bind)
    install_guards(bind)
    install_roll_guards(bind)
    install_entitlement_guards(bind)


def downgrade() -> None:
    raise NotImplementedError("the initial schema is not downgraded")
