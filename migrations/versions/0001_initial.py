"""Initial schema: every table of the app and the ledger, then the database guards.

Revision ID: 0001
Revises:
Create Date: 2026-11-24

The tables are written out as explicit operations (generated from the models, then read);
the guards (triggers that keep the books balanced and immutable, the audit log append-only,
stored rolls and entitlement runs unchangeable) and the chain-head rows follow. The next
change to the schema is a new migration: ``python scripts/new_migration.py "what changed"``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from fund.audit.guards import install_guards as install_audit_guards
from fund.entitlements.guards import install_entitlement_guards
from fund.rolls.guards import install_roll_guards
from ledger.schema import install as install_ledger_guards

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('ledger_accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=10), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('type', sa.String(length=12), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('brand', sa.String(length=40), nullable=True),
    sa.Column('factory', sa.String(length=40), nullable=True),
    sa.Column('event', sa.String(length=40), nullable=True),
    sa.Column('batch', sa.String(length=40), nullable=True),
    sa.Column('dimension_key', sa.String(length=200), nullable=False),
    sa.CheckConstraint("type IN ('asset', 'liability', 'net_assets', 'income', 'expense')", name=op.f('ck_ledger_accounts_type')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_accounts')),
    sa.UniqueConstraint('code', 'currency', 'dimension_key', name='uq_ledger_accounts_identity')
    )
    op.create_table('ledger_chain_head',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('last_sequence', sa.BigInteger(), nullable=False),
    sa.Column('last_hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_chain_head'))
    )
    op.create_table('ledger_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('effective_date', sa.Date(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('memo', sa.String(length=500), nullable=False),
    sa.Column('reference', sa.String(length=120), nullable=True),
    sa.Column('idempotency_key', sa.String(length=200), nullable=False),
    sa.Column('request_hash', sa.String(length=64), nullable=False),
    sa.Column('rate', sa.String(length=40), nullable=True),
    sa.Column('reverses_id', sa.Integer(), nullable=True),
    sa.Column('sequence', sa.BigInteger(), nullable=True),
    sa.Column('previous_hash', sa.String(length=64), nullable=True),
    sa.Column('hash', sa.String(length=64), nullable=True),
    sa.CheckConstraint("status = 'pending' OR (sequence IS NOT NULL AND hash IS NOT NULL)", name=op.f('ck_ledger_entries_chained')),
    sa.CheckConstraint("status IN ('pending', 'posted')", name=op.f('ck_ledger_entries_status')),
    sa.ForeignKeyConstraint(['reverses_id'], ['ledger_entries.id'], name=op.f('fk_ledger_entries_reverses_id_ledger_entries')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_entries')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_ledger_entries_idempotency_key')),
    sa.UniqueConstraint('reverses_id', name=op.f('uq_ledger_entries_reverses_id')),
    sa.UniqueConstraint('sequence', name=op.f('uq_ledger_entries_sequence'))
    )
    op.create_index(op.f('ix_ledger_entries_effective_date'), 'ledger_entries', ['effective_date'], unique=False)
    op.create_index(op.f('ix_ledger_entries_recorded_at'), 'ledger_entries', ['recorded_at'], unique=False)
    op.create_index(op.f('ix_ledger_entries_reference'), 'ledger_entries', ['reference'], unique=False)
    op.create_table('ledger_period_closes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('closed_through', sa.Date(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by', sa.String(length=80), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_period_closes'))
    )
    op.create_table('ledger_postings',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('amount <> 0', name=op.f('ck_ledger_postings_amount_not_zero')),
    sa.ForeignKeyConstraint(['account_id'], ['ledger_accounts.id'], name=op.f('fk_ledger_postings_account_id_ledger_accounts')),
    sa.ForeignKeyConstraint(['entry_id'], ['ledger_entries.id'], name=op.f('fk_ledger_postings_entry_id_ledger_entries')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_postings'))
    )
    op.create_index('ix_ledger_postings_account_entry', 'ledger_postings', ['account_id', 'entry_id'], unique=False)
    op.create_index(op.f('ix_ledger_postings_entry_id'), 'ledger_postings', ['entry_id'], unique=False)
    op.create_table('audit_chain_head',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('last_event_id', sa.Integer(), nullable=True),
    sa.Column('last_hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_chain_head'))
    )
    op.create_table('brands',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_brands')),
    sa.UniqueConstraint('code', name=op.f('uq_brands_code'))
    )
    op.create_table('factories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('address', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_factories')),
    sa.UniqueConstraint('code', name=op.f('uq_factories_code'))
    )
    op.create_table('factory_brands',
    sa.Column('factory_id', sa.Integer(), nullable=False),
    sa.Column('brand_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['brand_id'], ['brands.id'], name=op.f('fk_factory_brands_brand_id_brands')),
    sa.ForeignKeyConstraint(['factory_id'], ['factories.id'], name=op.f('fk_factory_brands_factory_id_factories')),
    sa.PrimaryKeyConstraint('factory_id', 'brand_id', name=op.f('pk_factory_brands'))
    )
    op.create_table('roll_column_mappings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('factory_id', sa.Integer(), nullable=False),
    sa.Column('header', sa.String(length=200), nullable=False),
    sa.Column('field', sa.String(length=30), nullable=False),
    sa.ForeignKeyConstraint(['factory_id'], ['factories.id'], name=op.f('fk_roll_column_mappings_factory_id_factories')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roll_column_mappings')),
    sa.UniqueConstraint('factory_id', 'header', name='uq_roll_column_mappings_factory_header')
    )
    op.create_index(op.f('ix_roll_column_mappings_factory_id'), 'roll_column_mappings', ['factory_id'], unique=False)
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=80), nullable=False),
    sa.Column('display_name', sa.String(length=200), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('brand_id', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('must_change_password', sa.Boolean(), nullable=False),
    sa.Column('session_version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(role = 'brand') = (brand_id IS NOT NULL)", name=op.f('ck_users_brand_users_have_a_brand')),
    sa.CheckConstraint("role IN ('admin', 'officer', 'approver', 'accountant', 'brand', 'auditor')", name=op.f('ck_users_role_known')),
    sa.ForeignKeyConstraint(['brand_id'], ['brands.id'], name=op.f('fk_users_brand_id_brands')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('username', name=op.f('uq_users_username'))
    )
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    op.create_index(op.f('ix_api_tokens_user_id'), 'api_tokens', ['user_id'], unique=False)
    op.create_table('audit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_name', sa.String(length=80), nullable=False),
    sa.Column('action', sa.String(length=80), nullable=False),
    sa.Column('object_type', sa.String(length=40), nullable=False),
    sa.Column('object_id', sa.String(length=80), nullable=False),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.Column('previous_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_audit_events_actor_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events')),
    sa.UniqueConstraint('hash', name=op.f('uq_audit_events_hash'))
    )
    op.create_index(op.f('ix_audit_events_action'), 'audit_events', ['action'], unique=False)
    op.create_index(op.f('ix_audit_events_occurred_at'), 'audit_events', ['occurred_at'], unique=False)
    op.create_table('brand_pledges',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('brand_id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=120), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('pledged_on', sa.Date(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('instalments', sa.JSON(), nullable=True),
    sa.Column('entry_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("currency IN ('USD', 'BDT')", name=op.f('ck_brand_pledges_currency')),
    sa.CheckConstraint('amount > 0', name=op.f('ck_brand_pledges_amount_positive')),
    sa.ForeignKeyConstraint(['brand_id'], ['brands.id'], name=op.f('fk_brand_pledges_brand_id_brands')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_brand_pledges_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_brand_pledges')),
    sa.UniqueConstraint('brand_id', 'reference', name='uq_brand_pledges_brand_reference')
    )
    op.create_index(op.f('ix_brand_pledges_brand_id'), 'brand_pledges', ['brand_id'], unique=False)
    op.create_table('fx_conversions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=120), nullable=False),
    sa.Column('effective_date', sa.Date(), nullable=False),
    sa.Column('usd_amount', sa.BigInteger(), nullable=False),
    sa.Column('rate', sa.String(length=40), nullable=False),
    sa.Column('bdt_amount', sa.BigInteger(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('usd_amount > 0 AND bdt_amount > 0', name=op.f('ck_fx_conversions_amounts_positive')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_fx_conversions_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fx_conversions')),
    sa.UniqueConstraint('reference', name='uq_fx_conversions_reference')
    )
    op.create_table('policy_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('toml', sa.Text(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('frozen', sa.Boolean(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_policy_versions_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_policy_versions')),
    sa.UniqueConstraint('name', 'version', name='name_version')
    )
    op.create_index(op.f('ix_policy_versions_name'), 'policy_versions', ['name'], unique=False)
    op.create_table('rolls',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('factory_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('source_filename', sa.String(length=255), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('imported_by_id', sa.Integer(), nullable=True),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('rows_read', sa.Integer(), nullable=False),
    sa.Column('worker_count', sa.Integer(), nullable=False),
    sa.Column('warning_count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['factory_id'], ['factories.id'], name=op.f('fk_rolls_factory_id_factories')),
    sa.ForeignKeyConstraint(['imported_by_id'], ['users.id'], name=op.f('fk_rolls_imported_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rolls')),
    sa.UniqueConstraint('factory_id', 'version', name='uq_rolls_factory_version')
    )
    op.create_index(op.f('ix_rolls_factory_id'), 'rolls', ['factory_id'], unique=False)
    op.create_index(op.f('ix_rolls_sha256'), 'rolls', ['sha256'], unique=False)
    op.create_table('brand_contributions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('brand_id', sa.Integer(), nullable=False),
    sa.Column('pledge_id', sa.Integer(), nullable=True),
    sa.Column('bank_reference', sa.String(length=120), nullable=False),
    sa.Column('value_date', sa.Date(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("currency IN ('USD', 'BDT')", name=op.f('ck_brand_contributions_currency')),
    sa.CheckConstraint('amount > 0', name=op.f('ck_brand_contributions_amount_positive')),
    sa.ForeignKeyConstraint(['brand_id'], ['brands.id'], name=op.f('fk_brand_contributions_brand_id_brands')),
    sa.ForeignKeyConstraint(['pledge_id'], ['brand_pledges.id'], name=op.f('fk_brand_contributions_pledge_id_brand_pledges')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_brand_contributions_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_brand_contributions')),
    sa.UniqueConstraint('brand_id', 'bank_reference', name='uq_brand_contributions_brand_bank_reference')
    )
    op.create_index(op.f('ix_brand_contributions_brand_id'), 'brand_contributions', ['brand_id'], unique=False)
    op.create_index(op.f('ix_brand_contributions_pledge_id'), 'brand_contributions', ['pledge_id'], unique=False)
    op.create_table('events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('factory_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('scope', sa.String(length=10), nullable=False),
    sa.Column('sections', sa.JSON(), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('reference', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('roll_id', sa.Integer(), nullable=True),
    sa.Column('policy_name', sa.String(length=100), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind = 'suspension' OR (end_date IS NULL AND scope = 'full')", name=op.f('ck_events_closure_is_one_day_whole_factory')),
    sa.CheckConstraint("kind IN ('suspension', 'closure')", name=op.f('ck_events_kind_known')),
    sa.CheckConstraint("scope IN ('full', 'partial')", name=op.f('ck_events_scope_known')),
    sa.CheckConstraint('end_date IS NULL OR end_date >= start_date', name=op.f('ck_events_ends_after_start')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_events_created_by_id_users')),
    sa.ForeignKeyConstraint(['factory_id'], ['factories.id'], name=op.f('fk_events_factory_id_factories')),
    sa.ForeignKeyConstraint(['roll_id'], ['rolls.id'], name=op.f('fk_events_roll_id_rolls')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_events'))
    )
    op.create_index(op.f('ix_events_factory_id'), 'events', ['factory_id'], unique=False)
    op.create_index(op.f('ix_events_roll_id'), 'events', ['roll_id'], unique=False)
    op.create_table('roll_workers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('roll_id', sa.Integer(), nullable=False),
    sa.Column('row', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.String(length=50), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('national_id', sa.String(length=17), nullable=False),
    sa.Column('join_date', sa.Date(), nullable=False),
    sa.Column('basic', sa.BigInteger(), nullable=False),
    sa.Column('house_rent', sa.BigInteger(), nullable=False),
    sa.Column('medical', sa.BigInteger(), nullable=False),
    sa.Column('transport', sa.BigInteger(), nullable=False),
    sa.Column('food', sa.BigInteger(), nullable=False),
    sa.Column('gross', sa.BigInteger(), nullable=True),
    sa.Column('section', sa.String(length=100), nullable=True),
    sa.Column('grade', sa.String(length=50), nullable=True),
    sa.Column('designation', sa.String(length=100), nullable=True),
    sa.Column('exit_date', sa.Date(), nullable=True),
    sa.Column('payment_method', sa.String(length=10), nullable=True),
    sa.Column('wallet_number', sa.String(length=11), nullable=True),
    sa.Column('bank_account', sa.String(length=50), nullable=True),
    sa.ForeignKeyConstraint(['roll_id'], ['rolls.id'], name=op.f('fk_roll_workers_roll_id_rolls')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roll_workers')),
    sa.UniqueConstraint('roll_id', 'worker_id', name='uq_roll_workers_roll_worker')
    )
    op.create_index(op.f('ix_roll_workers_national_id'), 'roll_workers', ['national_id'], unique=False)
    op.create_index(op.f('ix_roll_workers_roll_id'), 'roll_workers', ['roll_id'], unique=False)
    op.create_table('entitlement_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('roll_id', sa.Integer(), nullable=True),
    sa.Column('policy_version_id', sa.Integer(), nullable=False),
    sa.Column('through', sa.Date(), nullable=True),
    sa.Column('days_covered', sa.Integer(), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('workers', sa.Integer(), nullable=False),
    sa.Column('eligible', sa.Integer(), nullable=False),
    sa.Column('total_minor', sa.BigInteger(), nullable=False),
    sa.Column('computed_by_id', sa.Integer(), nullable=True),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['computed_by_id'], ['users.id'], name=op.f('fk_entitlement_runs_computed_by_id_users')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_entitlement_runs_event_id_events')),
    sa.ForeignKeyConstraint(['policy_version_id'], ['policy_versions.id'], name=op.f('fk_entitlement_runs_policy_version_id_policy_versions')),
    sa.ForeignKeyConstraint(['roll_id'], ['rolls.id'], name=op.f('fk_entitlement_runs_roll_id_rolls')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_entitlement_runs'))
    )
    op.create_index(op.f('ix_entitlement_runs_event_id'), 'entitlement_runs', ['event_id'], unique=False)
    op.create_table('event_duplicate_resolutions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('national_id', sa.String(length=30), nullable=False),
    sa.Column('paid_worker_id', sa.String(length=50), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('resolved_by_id', sa.Integer(), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_duplicate_resolutions_event_id_events')),
    sa.ForeignKeyConstraint(['resolved_by_id'], ['users.id'], name=op.f('fk_event_duplicate_resolutions_resolved_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_duplicate_resolutions')),
    sa.UniqueConstraint('event_id', 'national_id', name='once_per_person')
    )
    op.create_index(op.f('ix_event_duplicate_resolutions_event_id'), 'event_duplicate_resolutions', ['event_id'], unique=False)
    op.create_table('event_extensions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('previous_end', sa.Date(), nullable=True),
    sa.Column('new_end', sa.Date(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('reference', sa.String(length=200), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_extensions_event_id_events')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_event_extensions_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_extensions'))
    )
    op.create_index(op.f('ix_event_extensions_event_id'), 'event_extensions', ['event_id'], unique=False)
    op.create_table('entitlements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('roll_row', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.String(length=50), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('national_id', sa.String(length=30), nullable=False),
    sa.Column('section', sa.String(length=100), nullable=True),
    sa.Column('eligible', sa.Boolean(), nullable=False),
    sa.Column('reason', sa.String(length=40), nullable=True),
    sa.Column('days_paid', sa.Integer(), nullable=True),
    sa.Column('years_of_service', sa.Integer(), nullable=True),
    sa.Column('service_months', sa.Integer(), nullable=True),
    sa.Column('exact_numerator', sa.BigInteger(), nullable=False),
    sa.Column('exact_denominator', sa.BigInteger(), nullable=False),
    sa.Column('amount_minor', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.CheckConstraint('amount_minor >= 0', name=op.f('ck_entitlements_amount_not_negative')),
    sa.CheckConstraint('eligible OR amount_minor = 0', name=op.f('ck_entitlements_ineligible_paid_nothing')),
    sa.ForeignKeyConstraint(['run_id'], ['entitlement_runs.id'], name=op.f('fk_entitlements_run_id_entitlement_runs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_entitlements')),
    sa.UniqueConstraint('run_id', 'position', name='position_in_run'),
    sa.UniqueConstraint('run_id', 'worker_id', name='one_per_worker')
    )
    op.create_table('entitlement_lines',
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('entitlement_position', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('rule', sa.String(length=60), nullable=False),
    sa.Column('component', sa.String(length=20), nullable=False),
    sa.Column('monthly_minor', sa.BigInteger(), nullable=False),
    sa.Column('share_text', sa.String(length=20), nullable=False),
    sa.Column('days', sa.Integer(), nullable=False),
    sa.Column('days_per_month', sa.Integer(), nullable=False),
    sa.Column('amount_numerator', sa.BigInteger(), nullable=False),
    sa.Column('amount_denominator', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['run_id', 'entitlement_position'], ['entitlements.run_id', 'entitlements.position'], name='fk_entitlement_lines_entitlement'),
    sa.PrimaryKeyConstraint('run_id', 'entitlement_position', 'position', name=op.f('pk_entitlement_lines'))
    )

    bind = op.get_bind()
    install_ledger_guards(bind)
    install_audit_guards(bind)
    install_roll_guards(bind)
    install_entitlement_guards(bind)


def downgrade() -> None:
    raise NotImplementedError("the initial schema is not downgraded")
