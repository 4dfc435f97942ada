"""no fix: why an approval or a check-in was written without a GPS fix

Revision ID: 0013_no_fix
Revises: 0012_frozen_records
Create Date: 2026-12-01 23:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0013_no_fix'
down_revision = '0012_frozen_records'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('customer_approvals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('no_fix', sa.String(length=200), nullable=True))
    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.add_column(sa.Column('check_in_no_fix', sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.drop_column('check_in_no_fix')
    with op.batch_alter_table('customer_approvals', schema=None) as batch_op:
        batch_op.drop_column('no_fix')
