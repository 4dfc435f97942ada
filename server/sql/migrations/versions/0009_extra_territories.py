"""extra territories: an admin allows a user to sell in territories besides their own

Revision ID: 0009_extra_territories
Revises: 0008_commercial_terms
Create Date: 2026-11-30 23:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0009_extra_territories'
down_revision = '0008_commercial_terms'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('user_extra_territories',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('territory_code', sa.String(length=32), nullable=False),
    sa.Column('granted_by', sa.String(length=64), nullable=False),
    sa.Column('granted_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['territory_code'], ['territories.code'],
                            name=op.f('fk_user_extra_territories_territory_code_territories')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE',
                            name=op.f('fk_user_extra_territories_user_id_users')),
    sa.PrimaryKeyConstraint('user_id', 'territory_code', name=op.f('pk_user_extra_territories'))
    )
    with op.batch_alter_table('user_extra_territories', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_extra_territories_territory_code'),
                              ['territory_code'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('user_extra_territories', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_extra_territories_territory_code'))
    op.drop_table('user_extra_territories')
