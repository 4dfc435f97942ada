"""commercial terms: price lists per customer, group or territory; decisions bind terms

Revision ID: 0008_commercial_terms
Revises: 0007_gateway_refusals
Create Date: 2026-12-01 20:30:00
"""
import hashlib
from datetime import UTC
from decimal import Decimal

import sqlalchemy as sa
from alembic import op

revision = '0008_commercial_terms'
down_revision = '0007_gateway_refusals'
branch_labels = None
depends_on = None


def _hash(text: str) -> str:
    # The same as sync.documents.canonical.key_hash / expense_terms, frozen here on purpose:
    # a migration must not change when the code does.
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def upgrade() -> None:
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('customer_group', sa.String(length=64), nullable=True))
    with op.batch_alter_table('price_lists', schema=None) as batch_op:
        batch_op.add_column(sa.Column('customer_id', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('customer_group', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('territory_code', sa.String(length=32), nullable=True))
    with op.batch_alter_table('head_decisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('terms_hash', sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column('terms', sa.String(length=200), server_default='',
                                      nullable=False))
    with op.batch_alter_table('offers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('terms_hash', sa.String(length=80), server_default='',
                                      nullable=False))
    with op.batch_alter_table('expenses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('terms_hash', sa.String(length=80), server_default='',
                                      nullable=False))
    op.create_table('server_lead_steps',
    sa.Column('lead_id', sa.String(length=160), nullable=False),
    sa.Column('at', sa.String(length=40), nullable=False),
    sa.Column('stage', sa.String(length=20), nullable=False),
    sa.Column('by', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('lead_id', 'at', 'stage', name=op.f('pk_server_lead_steps'))
    )
    _backfill()


def _backfill() -> None:
    """Existing offers and expenses get their terms hash; existing decisions bind the terms
    their subject has now (what the head saw last)."""
    bind = op.get_bind()
    for doc_id, key in bind.execute(sa.text("SELECT doc_id, business_key FROM offers")).all():
        bind.execute(sa.text("UPDATE offers SET terms_hash = :h WHERE doc_id = :d"),
                     {"h": _hash(f"terms|{key}"), "d": doc_id})
    rows = bind.execute(sa.text("SELECT doc_id, amount, km, mode FROM expenses")).all()
    for doc_id, amount, km, mode in rows:
        km_text = f"{Decimal(str(km)).normalize():f}"
        amount_text = f"{Decimal(str(amount)).quantize(Decimal('0.01')):f}"
        bind.execute(sa.text("UPDATE expenses SET terms_hash = :h WHERE doc_id = :d"),
                     {"h": _hash(f"expense|{amount_text}|{km_text}|{mode}"), "d": doc_id})
    _backfill_lead_steps(bind)
    for table in ("offers", "expenses"):
        bind.execute(sa.text(
            f"UPDATE head_decisions SET terms_hash = (SELECT t.terms_hash FROM {table} t "
            "WHERE t.doc_id = head_decisions.subject_id) "
            f"WHERE subject_id IN (SELECT doc_id FROM {table})"))


def _backfill_lead_steps(bind: sa.engine.Connection) -> None:
    """Steps a head or admin made before steps were recorded: every step in someone else's
    name than the lead's owner (only the server could write those so far)."""
    history = sa.table("lead_stage_history", sa.column("lead_id", sa.String),
                       sa.column("stage", sa.String), sa.column("by", sa.String),
                       sa.column("at", sa.DateTime(timezone=True)))
    leads = sa.table("leads", sa.column("doc_id", sa.String), sa.column("owner", sa.String))
    rows = bind.execute(sa.select(history.c.lead_id, history.c.stage, history.c.at,
                                  history.c.by)
                        .join(leads, leads.c.doc_id == history.c.lead_id)
                        .where(history.c.by != leads.c.owner)).all()
    steps = sa.table("server_lead_steps", sa.column("lead_id", sa.String),
                     sa.column("at", sa.String), sa.column("stage", sa.String),
                     sa.column("by", sa.String))
    found = {}
    for lead_id, stage, at, by in rows:
        # The moment as sync.documents.facts.server_step spells it (frozen here on purpose).
        moment = at if at.tzinfo is not None else at.replace(tzinfo=UTC)
        key = (lead_id, moment.astimezone(UTC).isoformat(timespec="microseconds"), stage)
        found[key] = by
    if found:
        bind.execute(steps.insert(), [{"lead_id": lead_id, "at": at, "stage": stage, "by": by}
                                      for (lead_id, at, stage), by in found.items()])


def downgrade() -> None:
    op.drop_table('server_lead_steps')
    for table in ('expenses', 'offers'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('terms_hash')
    with op.batch_alter_table('head_decisions', schema=None) as batch_op:
        batch_op.drop_column('terms')
        batch_op.drop_column('terms_hash')
    with op.batch_alter_table('price_lists', schema=None) as batch_op:
        batch_op.drop_column('territory_code')
        batch_op.drop_column('customer_group')
        batch_op.drop_column('customer_id')
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.drop_column('customer_group')
