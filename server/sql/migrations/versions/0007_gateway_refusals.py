"""rejected_documents.source and device_id: writes the sync gateway refuses are recorded too

Revision ID: 0007_gateway_refusals
Revises: 0006_territory_codes
Create Date: 2026-11-30 20:30:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0007_gateway_refusals'
down_revision = '0006_territory_codes'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('rejected_documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source', sa.String(length=16), server_default='worker',
                                      nullable=False))
        batch_op.add_column(sa.Column('device_id', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('rejected_documents', schema=None) as batch_op:
        batch_op.drop_column('device_id')
        batch_op.drop_column('source')
