"""territory codes upper-case: "blr" and "BLR" become one territory

Revision ID: 0006_territory_codes
Revises: 0005_worker_leases
Create Date: 2026-11-30 20:10:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0006_territory_codes'
down_revision = '0005_worker_leases'
branch_labels = None
depends_on = None

TERRITORIES = sa.table('territories', sa.column('code', sa.String), sa.column('name', sa.String))
REFERRERS = (sa.table('customers', sa.column('territory_code', sa.String)),
             sa.table('users', sa.column('territory_code', sa.String)))


def upgrade() -> None:
    # Codes differing only in case are merged into the upper-case one: its row is made first
    # (keeping the first name seen), then customers and users move over, then the old row goes,
    # so no foreign key is ever left dangling.
    bind = op.get_bind()
    rows = bind.execute(sa.select(TERRITORIES.c.code, TERRITORIES.c.name)
                        .order_by(TERRITORIES.c.code)).all()
    existing = {code for code, _ in rows}
    for code, name in rows:
        upper = code.strip().upper()
        if upper == code:
            continue
        if upper not in existing:
            bind.execute(sa.insert(TERRITORIES).values(code=upper, name=name))
            existing.add(upper)
        for table in REFERRERS:
            bind.execute(sa.update(table).where(table.c.territory_code == code)
                         .values(territory_code=upper))
        bind.execute(sa.delete(TERRITORIES).where(TERRITORIES.c.code == code))
        existing.discard(code)


def downgrade() -> None:
    # Which codes were lower-case before is not recorded; upper-case codes remain valid.
    pass
