"""The service's tables: API keys, calendar tokens, jobs and their files, proposals, the audit
log, idempotent requests and callbacks; a location's callback, and a decision's effective date.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from matcher.db.tables import UtcDateTime

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
MOMENT = UtcDateTime()


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("location_id", sa.String(length=64), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("scopes", sa.String(length=64), nullable=False),
        sa.Column("secret_hash", sa.String(length=200), nullable=False),
        sa.Column("created", MOMENT, nullable=False),
        sa.Column("revoked", MOMENT, nullable=True),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["locations.id"],
            name=op.f("fk_api_keys_location_id_locations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
    )
    op.create_index(op.f("ix_api_keys_location_id"), "api_keys", ["location_id"], unique=False)
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("location_id", sa.String(length=64), nullable=False),
        sa.Column("time", MOMENT, nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("subject", sa.String(length=40), nullable=False),
        sa.Column("subject_id", sa.String(length=64), nullable=True),
        sa.Column("detail", JSON, nullable=True),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["locations.id"],
            name=op.f("fk_audit_log_location_id_locations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_location_id"), "audit_log", ["location_id"], unique=False)
    op.create_table(
        "calendar_tokens",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("location_id", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=16), nullable=False),
        sa.Column("subject_id", sa.String(length=64), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("created", MOMENT, nullable=False),
        sa.Column("revoked", MOMENT, nullable=True),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["locations.id"],
            name=op.f("fk_calendar_tokens_location_id_locations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_tokens")),
    )
    op.create_index(
        op.f("ix_calendar_tokens_location_id"), "calendar_tokens", ["location_id"], unique=False
    )
    op.create_table(
        "callbacks",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("location_id", sa.String(length=64), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt", MOMENT, nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["locations.id"],
            name=op.f("fk_callbacks_location_id_locations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_callbacks")),
    )
    op.create_index(op.f("ix_callbacks_location_id"), "callbacks", ["location_id"], unique=False)
    op.create_index(
        op.f("ix_callbacks_status_next_attempt"),
        "callbacks",
        ["status", "next_attempt"],
        unique=False,
    )
    op.create_table(
        "idempotent_requests",
        sa.Column("location_id", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("created", MOMENT, nullable=False),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["locations.id"],
            name=op.f("fk_idempotent_requests_location_id_locations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("location_id", "key", name=op.f("pk_idempotent_requests")),
    )
    op.create_table(
        "jobs",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("location_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("payload", JSON, nullable=False),
        sa.Column("summary", JSON, nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("progress", sa.Double(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("worker", sa.String(length=200), nullable=True),
        sa.Column("lease_until", MOMENT, nullable=True),
        sa.Column("created", MOMENT, nullable=False),
        sa.Column("started", MOMENT, nullable=True),
        sa.Column("finished", MOMENT, nullable=True),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["locations.id"],
            name=op.f("fk_jobs_location_id_locations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
        sa.UniqueConstraint("location_id", "idempotency_key", name=op.f("uq_jobs_location_id")),
    )
    op.create_index(op.f("ix_jobs_location_id"), "jobs", ["location_id"], unique=False)
    op.create_index(op.f("ix_jobs_status_created"), "jobs", ["status", "created"], unique=False)
    op.create_table(
        "artifacts",
        sa.Column("job_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"], ["jobs.id"], name=op.f("fk_artifacts_job_id_jobs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("job_id", "name", name=op.f("pk_artifacts")),
    )
    op.create_table(
        "proposals",
        sa.Column("job_id", sa.String(length=32), nullable=False),
        sa.Column("family_id", sa.String(length=64), nullable=False),
        sa.Column("location_id", sa.String(length=64), nullable=False),
        sa.Column("volunteer_id", sa.String(length=64), nullable=False),
        sa.Column("slot", sa.String(length=32), nullable=False),
        sa.Column("quality", sa.Double(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decided", MOMENT, nullable=True),
        sa.ForeignKeyConstraint(
            ["job_id"], ["jobs.id"], name=op.f("fk_proposals_job_id_jobs"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["locations.id"],
            name=op.f("fk_proposals_location_id_locations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("job_id", "family_id", name=op.f("pk_proposals")),
    )
    op.create_index(op.f("ix_proposals_location_id"), "proposals", ["location_id"], unique=False)
    op.create_index(
        op.f("ix_proposals_location_id_status"),
        "proposals",
        ["location_id", "status"],
        unique=False,
    )
    with op.batch_alter_table("decisions") as decisions:
        decisions.add_column(sa.Column("effective", sa.Date(), nullable=True))
    with op.batch_alter_table("locations") as locations:
        locations.add_column(sa.Column("callback_url", sa.String(length=2000), nullable=True))
        locations.add_column(sa.Column("callback_secret", sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("locations") as locations:
        locations.drop_column("callback_secret")
        locations.drop_column("callback_url")
    with op.batch_alter_table("decisions") as decisions:
        decisions.drop_column("effective")
    op.drop_index(op.f("ix_proposals_location_id_status"), table_name="proposals")
    op.drop_index(op.f("ix_proposals_location_id"), table_name="proposals")
    op.drop_table("proposals")
    op.drop_table("artifacts")
    op.drop_index(op.f("ix_jobs_status_created"), table_name="jobs")
    op.drop_index(op.f("ix_jobs_location_id"), table_name="jobs")
    op.drop_table("jobs")
    op.drop_table("idempotent_requests")
    op.drop_index(op.f("ix_callbacks_status_next_attempt"), table_name="callbacks")
    op.drop_index(op.f("ix_callbacks_location_id"), table_name="callbacks")
    op.drop_table("callbacks")
    op.drop_index(op.f("ix_calendar_tokens_location_id"), table_name="calendar_tokens")
    op.drop_table("calendar_tokens")
    op.drop_index(op.f("ix_audit_log_location_id"), table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_index(op.f("ix_api_keys_location_id"), table_name="api_keys")
    op.drop_table("api_keys")
