"""claims

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 18:59:14.165257
"""

from alembic import op
import sqlalchemy as sa
import storage.types


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('claims',
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('claimed_at', storage.types.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_claims'))
    )


def downgrade() -> None:
    op.drop_table('claims')
