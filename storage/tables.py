"""Table definitions. The Alembic migrations create exactly these (a test compares them)."""

from __future__ import annotations

import sqlalchemy as sa

from storage.types import UtcDateTime

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

streets = sa.Table(
    "streets",
    metadata,
    sa.Column("code", sa.String(32), primary_key=True),
    sa.Column("name", sa.String(64), nullable=False),
)

zones = sa.Table(
    "zones",
    metadata,
    sa.Column("code", sa.String(32), primary_key=True),
    sa.Column("street_code", sa.String(32), sa.ForeignKey("streets.code"), nullable=False),
    sa.Column("name", sa.String(64), nullable=False),
    sa.Column("areas", sa.JSON, nullable=False),
)

parks = sa.Table(
    "parks",
    metadata,
    sa.Column("code", sa.String(32), primary_key=True),
    sa.Column("street_code", sa.String(32), sa.ForeignKey("streets.code"), nullable=False),
    sa.Column("name", sa.String(64), nullable=False),
    sa.Column("areas", sa.JSON, nullable=False),
)

departments = sa.Table(
    "departments",
    metadata,
    sa.Column("code", sa.String(32), primary_key=True),
    sa.Column("name", sa.String(64), nullable=False),
    sa.Column("full_name", sa.String(128), nullable=False),
    sa.Column("working_group", sa.Boolean, nullable=False),
    sa.Column("hub", sa.String(32), nullable=True),
)

people = sa.Table(
    "people",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("name", sa.String(64), nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("phone", sa.String(32), nullable=False),
    sa.Column("tier", sa.String(16), nullable=True),
    sa.Column("zone_code", sa.String(32), nullable=True),
    sa.Column("park_code", sa.String(32), nullable=True),
    sa.Column("department_code", sa.String(32), nullable=True),
    sa.Column("hub", sa.String(32), nullable=True),
    sa.Column("business_id", sa.String(64), nullable=True),
    sa.Column("fictional", sa.Boolean, nullable=False),
    sa.Index(None, "role", "department_code"),
    sa.Index(None, "business_id"),
)

businesses = sa.Table(
    "businesses",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("name", sa.String(128), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("credit_code", sa.String(32), nullable=False),
    sa.Column("address", sa.String(256), nullable=False),
    sa.Column("zone_code", sa.String(32), nullable=True),
    sa.Column("park_code", sa.String(32), nullable=True),
    sa.Column("fictional", sa.Boolean, nullable=False),
)

business_helpers = sa.Table(
    "business_helpers",
    metadata,
    sa.Column("business_id", sa.String(64), sa.ForeignKey("businesses.id"), primary_key=True),
    sa.Column("helper_id", sa.String(64), sa.ForeignKey("people.id"), primary_key=True),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Index(None, "helper_id"),
)

# Platform accounts (WeCom userid, DingTalk staffId, sim id) bound to roster people.
identities = sa.Table(
    "identities",
    metadata,
    sa.Column("platform", sa.String(16), primary_key=True),
    sa.Column("platform_user_id", sa.String(128), primary_key=True),
    sa.Column("person_id", sa.String(64), sa.ForeignKey("people.id"), nullable=False),
    sa.Index(None, "person_id"),
)

tickets = sa.Table(
    "tickets",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("business_id", sa.String(64), sa.ForeignKey("businesses.id"), nullable=False),
    sa.Column("requester_id", sa.String(64), nullable=False),
    sa.Column("helper_id", sa.String(64), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("category", sa.String(32), nullable=True),
    sa.Column("suggested_department", sa.String(32), nullable=True),
    sa.Column("accepted_by", sa.JSON, nullable=False),
    sa.Column("checked_in", sa.JSON, nullable=False),
    sa.Column("solution", sa.Text, nullable=False),
    sa.Column("eta", sa.Date, nullable=True),
    sa.Column("result", sa.Text, nullable=False),
    sa.Column("rating", sa.Integer, nullable=True),
    sa.Column("rating_comment", sa.Text, nullable=False),
    sa.Column("external_platform", sa.String(16), nullable=True),
    sa.Column("external_ref", sa.String(128), nullable=False),
    sa.Column("reject_reason", sa.Text, nullable=False),
    sa.Column("return_count", sa.Integer, nullable=False),
    sa.Column("reopen_count", sa.Integer, nullable=False),
    sa.Column("extension_until", sa.Date, nullable=True),
    sa.Column("extension_reason", sa.Text, nullable=False),
    sa.Column("received_at", UtcDateTime, nullable=False),
    sa.Column("answer_due_at", UtcDateTime, nullable=True),
    sa.Column("next_due_at", UtcDateTime, nullable=True),
    sa.Column("calendar_version", sa.String(32), nullable=False),
    sa.Column("calendar_unconfirmed", sa.Boolean, nullable=False),
    sa.Column("answered_at", UtcDateTime, nullable=True),
    sa.Column("resolved_at", UtcDateTime, nullable=True),
    sa.Column("closed_at", UtcDateTime, nullable=True),
    sa.Column("updated_at", UtcDateTime, nullable=True),
    sa.Column("segments", sa.JSON, nullable=False),
    sa.Column("notes", sa.JSON, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    # "Tickets whose next deadline is before T": one partial index and nothing else on
    # next_due_at. Finished tickets have NULL there, so the index holds only live deadlines.
    # (With a second single-column index SQLite may pick the wrong one: PERFORMANCE.md.)
    sa.Index(
        "ix_tickets_next_due_at",
        "next_due_at",
        sqlite_where=sa.text("next_due_at IS NOT NULL"),
        postgresql_where=sa.text("next_due_at IS NOT NULL"),
    ),
    sa.Index(None, "business_id", "status"),
    sa.Index(None, "helper_id", "status"),
)

# The department(s) a ticket is currently with, in order: what a coordinator's to-do list queries.
ticket_departments = sa.Table(
    "ticket_departments",
    metadata,
    sa.Column("ticket_id", sa.Integer, sa.ForeignKey("tickets.id"), primary_key=True),
    sa.Column("department_code", sa.String(32), primary_key=True),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Index(None, "department_code"),
)

audit_events = sa.Table(
    "audit_events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("ticket_id", sa.Integer, sa.ForeignKey("tickets.id"), nullable=False),
    sa.Column("at", UtcDateTime, nullable=False),
    sa.Column("actor_id", sa.String(64), nullable=False),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("from_status", sa.String(16), nullable=True),
    sa.Column("to_status", sa.String(16), nullable=False),
    sa.Column("detail", sa.JSON, nullable=False),
    sa.Column("source_message_id", sa.String(128), nullable=True),
    sa.Index(None, "ticket_id", "id"),
)

# Every inbound chat message, stored before it is processed. (platform, message_id) is the
# deduplication key; `replies` holds what the bot answered, so a duplicate delivery gets the
# same answer and causes nothing else.
inbound_messages = sa.Table(
    "inbound_messages",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("platform", sa.String(16), nullable=False),
    sa.Column("message_id", sa.String(128), nullable=False),
    sa.Column("sender_id", sa.String(128), nullable=False),
    sa.Column("person_id", sa.String(64), nullable=True),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("received_at", UtcDateTime, nullable=False),
    sa.Column("replies", sa.JSON, nullable=True),
    sa.Column("processed_at", UtcDateTime, nullable=True),
    sa.UniqueConstraint("platform", "message_id"),
)

# Pushes to people other than the sender (notifications, relays, reminders), durable before
# they are delivered.
outbox = sa.Table(
    "outbox",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("person_id", sa.String(64), nullable=False),
    sa.Column("ticket_id", sa.Integer, nullable=True),
    sa.Column("purpose", sa.String(32), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("card", sa.JSON, nullable=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("delivered_at", UtcDateTime, nullable=True),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Index(None, "person_id", "id"),
)

# Per-conversation state: the ticket a person last saw, the merge window of a requester,
# an unknown writer's onboarding answers. Keyed by person id, or "platform:sender" before
# the writer is known.
conversations = sa.Table(
    "conversations",
    metadata,
    sa.Column("key", sa.String(160), primary_key=True),
    sa.Column("state", sa.JSON, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
)

# Exactly-once claims: a reminder rung, a digest, an automatic close is claimed here (in the
# same transaction as its outbox rows) before it is sent. Keys like
# "rung:<ticket>:<deadline>:<rung>:<person>" or "digest:<date>:<person>".
claims = sa.Table(
    "claims",
    metadata,
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("claimed_at", UtcDateTime, nullable=False),
)

# A helper routed a ticket to another department than the classifier suggested: the text
# with the department it really belongs to, for `zhengqi nlp retrain`.
classifier_corrections = sa.Table(
    "classifier_corrections",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("ticket_id", sa.Integer, sa.ForeignKey("tickets.id"), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("category", sa.String(32), nullable=True),
    sa.Column("suggested_department", sa.String(32), nullable=True),
    sa.Column("department", sa.String(32), nullable=False),
    sa.Column("actor_id", sa.String(64), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
)
