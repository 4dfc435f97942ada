"""offer revisions and order cancellation requests

Revision ID: 0011_offer_revisions
Revises: 0010_audit_trail
Create Date: 2026-12-01 23:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0011_offer_revisions'
down_revision = '0010_audit_trail'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('offers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('supersedes', sa.String(length=160), nullable=True))
        batch_op.add_column(sa.Column('revision', sa.Integer(), server_default='0',
                                      nullable=False))
        batch_op.add_column(sa.Column('quotation_id', sa.String(length=160), server_default='',
                                      nullable=False))
        batch_op.create_index(batch_op.f('ix_offers_supersedes'), ['supersedes'], unique=False)
        batch_op.create_index(batch_op.f('ix_offers_quotation_id'), ['quotation_id'],
                              unique=False)
    # Every offer so far is the first of its own quotation.
    op.execute("UPDATE offers SET quotation_id = doc_id")
    op.create_table('order_cancellations',
    sa.Column('order_id', sa.String(length=160), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('terms_hash', sa.String(length=80), nullable=False),
    sa.Column('doc_id', sa.String(length=160), nullable=False),
    sa.Column('db_name', sa.String(length=200), nullable=False),
    sa.Column('owner', sa.String(length=64), nullable=False),
    sa.Column('rev', sa.String(length=80), nullable=False),
    sa.Column('rev_pos', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('loc_lat', sa.Float(), nullable=True),
    sa.Column('loc_lon', sa.Float(), nullable=True),
    sa.Column('loc_accuracy_m', sa.Float(), nullable=True),
    sa.Column('loc_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('loc_mock', sa.Boolean(), nullable=True),
    sa.PrimaryKeyConstraint('doc_id', name=op.f('pk_order_cancellations'))
    )
    with op.batch_alter_table('order_cancellations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_cancellations_order_id'), ['order_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_order_cancellations_db_name'), ['db_name'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_order_cancellations_owner'), ['owner'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_order_cancellations_created_at'), ['created_at'],
                              unique=False)
    op.create_table('erp_cancellations',
    sa.Column('order_id', sa.String(length=160), nullable=False),
    sa.Column('request_id', sa.String(length=160), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('lease_owner', sa.String(length=64), nullable=True),
    sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('erp_kind', sa.String(length=16), nullable=False),
    sa.Column('erp_number', sa.String(length=64), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('order_id', name=op.f('pk_erp_cancellations'))
    )
    with op.batch_alter_table('erp_cancellations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_erp_cancellations_status'), ['status'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('erp_cancellations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_erp_cancellations_status'))
    op.drop_table('erp_cancellations')
    with op.batch_alter_table('order_cancellations', schema=None) as batch_op:
        for column in ('created_at', 'owner', 'db_name', 'order_id'):
            batch_op.drop_index(batch_op.f(f'ix_order_cancellations_{column}'))
    op.drop_table('order_cancellations')
    with op.batch_alter_table('offers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_offers_quotation_id'))
        batch_op.drop_index(batch_op.f('ix_offers_supersedes'))
        batch_op.drop_column('quotation_id')
        batch_op.drop_column('revision')
        batch_op.drop_column('supersedes')
