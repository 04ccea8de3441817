"""classifier corrections

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 19:05:04.881027
"""

from alembic import op
import sqlalchemy as sa
import storage.types


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('classifier_corrections',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=True),
    sa.Column('suggested_department', sa.String(length=32), nullable=True),
    sa.Column('department', sa.String(length=32), nullable=False),
    sa.Column('actor_id', sa.String(length=64), nullable=False),
    sa.Column('created_at', storage.types.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_classifier_corrections_ticket_id_tickets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_classifier_corrections'))
    )


def downgrade() -> None:
    op.drop_table('classifier_corrections')
