"""worker leases: partitions of the engineer databases leased by workers

Revision ID: 0005_worker_leases
Revises: 0004_worker_heartbeats
Create Date: 2026-11-30 20:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0005_worker_leases'
down_revision = '0004_worker_heartbeats'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('worker_leases',
    sa.Column('partition', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('owner', sa.String(length=200), nullable=True),
    sa.Column('fencing', sa.BigInteger(), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('acquired_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('unowned_since', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('partition', name=op.f('pk_worker_leases'))
    )
    with op.batch_alter_table('worker_leases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_worker_leases_owner'), ['owner'], unique=False)

    op.create_table('worker_members',
    sa.Column('owner', sa.String(length=200), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('owner', name=op.f('pk_worker_members'))
    )
    with op.batch_alter_table('worker_checkpoints', schema=None) as batch_op:
        batch_op.add_column(sa.Column('fencing', sa.BigInteger(), server_default='0',
                                      nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('worker_checkpoints', schema=None) as batch_op:
        batch_op.drop_column('fencing')
    op.drop_table('worker_members')
    with op.batch_alter_table('worker_leases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_worker_leases_owner'))
    op.drop_table('worker_leases')
