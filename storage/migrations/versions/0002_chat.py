"""chat messages outbox conversations

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 18:39:16.315933
"""

from alembic import op
import sqlalchemy as sa
import storage.types


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('conversations',
    sa.Column('key', sa.String(length=160), nullable=False),
    sa.Column('state', sa.JSON(), nullable=False),
    sa.Column('updated_at', storage.types.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_conversations'))
    )
    op.create_table('inbound_messages',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('platform', sa.String(length=16), nullable=False),
    sa.Column('message_id', sa.String(length=128), nullable=False),
    sa.Column('sender_id', sa.String(length=128), nullable=False),
    sa.Column('person_id', sa.String(length=64), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('received_at', storage.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('replies', sa.JSON(), nullable=True),
    sa.Column('processed_at', storage.types.UtcDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inbound_messages')),
    sa.UniqueConstraint('platform', 'message_id', name=op.f('uq_inbound_messages_platform_message_id'))
    )
    op.create_table('outbox',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('person_id', sa.String(length=64), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    sa.Column('purpose', sa.String(length=32), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('card', sa.JSON(), nullable=True),
    sa.Column('created_at', storage.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('delivered_at', storage.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox'))
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_person_id_id'), ['person_id', 'id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_person_id_id'))

    op.drop_table('outbox')
    op.drop_table('inbound_messages')
    op.drop_table('conversations')
