"""initial schema

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-26 18:31:39.017417
"""

from alembic import op
import sqlalchemy as sa
import storage.types


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('businesses',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('credit_code', sa.String(length=32), nullable=False),
    sa.Column('address', sa.String(length=256), nullable=False),
    sa.Column('zone_code', sa.String(length=32), nullable=True),
    sa.Column('park_code', sa.String(length=32), nullable=True),
    sa.Column('fictional', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_businesses'))
    )
    op.create_table('departments',
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('full_name', sa.String(length=128), nullable=False),
    sa.Column('working_group', sa.Boolean(), nullable=False),
    sa.Column('hub', sa.String(length=32), nullable=True),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_departments'))
    )
    op.create_table('people',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('phone', sa.String(length=32), nullable=False),
    sa.Column('tier', sa.String(length=16), nullable=True),
    sa.Column('zone_code', sa.String(length=32), nullable=True),
    sa.Column('park_code', sa.String(length=32), nullable=True),
    sa.Column('department_code', sa.String(length=32), nullable=True),
    sa.Column('hub', sa.String(length=32), nullable=True),
    sa.Column('business_id', sa.String(length=64), nullable=True),
    sa.Column('fictional', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_people'))
    )
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_people_business_id'), ['business_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_people_role_department_code'), ['role', 'department_code'], unique=False)

    op.create_table('streets',
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_streets'))
    )
    op.create_table('business_helpers',
    sa.Column('business_id', sa.String(length=64), nullable=False),
    sa.Column('helper_id', sa.String(length=64), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['business_id'], ['businesses.id'], name=op.f('fk_business_helpers_business_id_businesses')),
    sa.ForeignKeyConstraint(['helper_id'], ['people.id'], name=op.f('fk_business_helpers_helper_id_people')),
    sa.PrimaryKeyConstraint('business_id', 'helper_id', name=op.f('pk_business_helpers'))
    )
    with op.batch_alter_table('business_helpers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_business_helpers_helper_id'), ['helper_id'], unique=False)

    op.create_table('identities',
    sa.Column('platform', sa.String(length=16), nullable=False),
    sa.Column('platform_user_id', sa.String(length=128), nullable=False),
    sa.Column('person_id', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_identities_person_id_people')),
    sa.PrimaryKeyConstraint('platform', 'platform_user_id', name=op.f('pk_identities'))
    )
    with op.batch_alter_table('identities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_identities_person_id'), ['person_id'], unique=False)

    op.create_table('parks',
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('street_code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('areas', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['street_code'], ['streets.code'], name=op.f('fk_parks_street_code_streets')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_parks'))
    )
    op.create_table('tickets',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('business_id', sa.String(length=64), nullable=False),
    sa.Column('requester_id', sa.String(length=64), nullable=False),
    sa.Column('helper_id', sa.String(length=64), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=True),
    sa.Column('suggested_department', sa.String(length=32), nullable=True),
    sa.Column('accepted_by', sa.JSON(), nullable=False),
    sa.Column('checked_in', sa.JSON(), nullable=False),
    sa.Column('solution', sa.Text(), nullable=False),
    sa.Column('eta', sa.Date(), nullable=True),
    sa.Column('result', sa.Text(), nullable=False),
    sa.Column('rating', sa.Integer(), nullable=True),
    sa.Column('rating_comment', sa.Text(), nullable=False),
    sa.Column('external_platform', sa.String(length=16), nullable=True),
    sa.Column('external_ref', sa.String(length=128), nullable=False),
    sa.Column('reject_reason', sa.Text(), nullable=False),
    sa.Column('return_count', sa.Integer(), nullable=False),
    sa.Column('reopen_count', sa.Integer(), nullable=False),
    sa.Column('extension_until', sa.Date(), nullable=True),
    sa.Column('extension_reason', sa.Text(), nullable=False),
    sa.Column('received_at', storage.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('answer_due_at', storage.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('next_due_at', storage.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('calendar_version', sa.String(length=32), nullable=False),
    sa.Column('calendar_unconfirmed', sa.Boolean(), nullable=False),
    sa.Column('answered_at', storage.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('resolved_at', storage.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('closed_at', storage.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('updated_at', storage.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('segments', sa.JSON(), nullable=False),
    sa.Column('notes', sa.JSON(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['business_id'], ['businesses.id'], name=op.f('fk_tickets_business_id_businesses')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tickets'))
    )
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tickets_business_id_status'), ['business_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_tickets_helper_id_status'), ['helper_id', 'status'], unique=False)
        batch_op.create_index('ix_tickets_next_due_at', ['next_due_at'], unique=False, sqlite_where=sa.text('next_due_at IS NOT NULL'), postgresql_where=sa.text('next_due_at IS NOT NULL'))

    op.create_table('zones',
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('street_code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('areas', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['street_code'], ['streets.code'], name=op.f('fk_zones_street_code_streets')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_zones'))
    )
    op.create_table('audit_events',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('at', storage.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('from_status', sa.String(length=16), nullable=True),
    sa.Column('to_status', sa.String(length=16), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.Column('source_message_id', sa.String(length=128), nullable=True),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_audit_events_ticket_id_tickets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_events_ticket_id_id'), ['ticket_id', 'id'], unique=False)

    op.create_table('ticket_departments',
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('department_code', sa.String(length=32), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_ticket_departments_ticket_id_tickets')),
    sa.PrimaryKeyConstraint('ticket_id', 'department_code', name=op.f('pk_ticket_departments'))
    )
    with op.batch_alter_table('ticket_departments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ticket_departments_department_code'), ['department_code'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('ticket_departments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ticket_departments_department_code'))

    op.drop_table('ticket_departments')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_events_ticket_id_id'))

    op.drop_table('audit_events')
    op.drop_table('zones')
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index('ix_tickets_next_due_at', sqlite_where=sa.text('next_due_at IS NOT NULL'), postgresql_where=sa.text('next_due_at IS NOT NULL'))
        batch_op.drop_index(batch_op.f('ix_tickets_helper_id_status'))
        batch_op.drop_index(batch_op.f('ix_tickets_business_id_status'))

    op.drop_table('tickets')
    op.drop_table('parks')
    with op.batch_alter_table('identities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_identities_person_id'))

    op.drop_table('identities')
    with op.batch_alter_table('business_helpers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_business_helpers_helper_id'))

    op.drop_table('business_helpers')
    op.drop_table('streets')
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_people_role_department_code'))
        batch_op.drop_index(batch_op.f('ix_people_business_id'))

    op.drop_table('people')
    op.drop_table('departments')
    op.drop_table('businesses')
