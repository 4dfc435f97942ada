"""frozen records: the archive of signed offers, accepted approvals and orders, and the
history of an accepted order's PO number, delivery date and notes

Revision ID: 0012_frozen_records
Revises: 0011_offer_revisions
Create Date: 2026-12-01 23:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0012_frozen_records'
down_revision = '0011_offer_revisions'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('frozen_documents',
    sa.Column('db_name', sa.String(length=200), nullable=False),
    sa.Column('doc_id', sa.String(length=160), nullable=False),
    sa.Column('doc_type', sa.String(length=16), nullable=False),
    sa.Column('owner', sa.String(length=64), nullable=False),
    sa.Column('seal', sa.String(length=80), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('approval_id', sa.String(length=160), nullable=False),
    sa.Column('signed_by', sa.String(length=200), nullable=False),
    sa.Column('signed_at', sa.String(length=40), nullable=False),
    sa.Column('rev', sa.String(length=80), nullable=False),
    sa.Column('body', sa.JSON(), nullable=False),
    sa.Column('restored_rev', sa.String(length=80), nullable=True),
    sa.Column('frozen_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('db_name', 'doc_id', name=op.f('pk_frozen_documents'))
    )
    with op.batch_alter_table('frozen_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_frozen_documents_owner'), ['owner'], unique=False)
    op.create_table('order_changes',
    sa.Column('order_id', sa.String(length=160), nullable=False),
    sa.Column('rev', sa.String(length=80), nullable=False),
    sa.Column('field', sa.String(length=32), nullable=False),
    sa.Column('rev_pos', sa.Integer(), nullable=False),
    sa.Column('before', sa.Text(), nullable=True),
    sa.Column('after', sa.Text(), nullable=True),
    sa.Column('changed_by', sa.String(length=64), nullable=False),
    sa.Column('device_id', sa.String(length=64), nullable=True),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('order_id', 'rev', 'field', name=op.f('pk_order_changes'))
    )


def downgrade() -> None:
    op.drop_table('order_changes')
    with op.batch_alter_table('frozen_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_frozen_documents_owner'))
    op.drop_table('frozen_documents')
