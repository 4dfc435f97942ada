"""worker heartbeats

Revision ID: 0004_worker_heartbeats
Revises: 0003_import_jobs
Create Date: 2026-11-30 19:55:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0004_worker_heartbeats'
down_revision = '0003_import_jobs'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('worker_heartbeats',
    sa.Column('worker_id', sa.String(length=64), nullable=False),
    sa.Column('host', sa.String(length=255), nullable=False),
    sa.Column('pid', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('error_since', sa.DateTime(timezone=True), nullable=True),
    sa.Column('beat_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('worker_id', name=op.f('pk_worker_heartbeats'))
    )


def downgrade() -> None:
    op.drop_table('worker_heartbeats')
