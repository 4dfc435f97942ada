"""token_version of users and refresh tokens: tokens issued before a password change stop working

Revision ID: 0002_token_version
Revises: 0001
Create Date: 2026-11-30 19:50:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0002_token_version'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ('users', 'refresh_tokens'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('token_version', sa.Integer(), server_default='0',
                                          nullable=False))


def downgrade() -> None:
    for table in ('refresh_tokens', 'users'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('token_version')
