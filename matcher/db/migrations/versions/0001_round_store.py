"""The round store's tables: locations, each round's contents, and the decision log.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql
from sqlalchemy.schema import SchemaItem

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

ID = sa.String(length=64)
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _location(table: str) -> list[SchemaItem]:
    """The column and foreign key every content table starts with."""
    return [
        sa.Column("location_id", ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["locations.id"],
            name=op.f(f"fk_{table}_location_id_locations"),
            ondelete="CASCADE",
        ),
    ]


def _people(table: str, *columns: sa.Column[object]) -> None:
    op.create_table(
        table,
        *_location(table),
        sa.Column("id", ID, nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        *columns,
        sa.Column("data", JSON, nullable=False),
        sa.PrimaryKeyConstraint("location_id", "id", name=op.f(f"pk_{table}")),
    )


def _listed(table: str, *columns: sa.Column[object]) -> None:
    op.create_table(
        table,
        *_location(table),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        *columns,
        sa.PrimaryKeyConstraint("location_id", "position", name=op.f(f"pk_{table}")),
    )


def upgrade() -> None:
    op.create_table(
        "locations",
        sa.Column("id", ID, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_locations")),
    )
    op.create_table(
        "round_settings",
        *_location("round_settings"),
        sa.Column("reference_date", sa.Date(), nullable=False),
        sa.Column("weights", JSON, nullable=False),
        sa.Column("policy", JSON, nullable=False),
        sa.Column("solver", JSON, nullable=False),
        sa.PrimaryKeyConstraint("location_id", name=op.f("pk_round_settings")),
    )
    _people(
        "volunteers",
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("ready", sa.Boolean(), nullable=False),
    )
    _people(
        "families",
        sa.Column("registered", sa.Date(), nullable=False),
        sa.Column("rematch", sa.Boolean(), nullable=False),
        sa.Column("coordinator", ID, nullable=True),
    )
    _people("coordinators")
    op.create_table(
        "active_matches",
        *_location("active_matches"),
        sa.Column("family_id", ID, nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("volunteer_id", ID, nullable=False),
        sa.Column("slot", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("location_id", "family_id", name=op.f("pk_active_matches")),
    )
    op.create_index(
        op.f("ix_active_matches_location_id_volunteer_id"),
        "active_matches",
        ["location_id", "volunteer_id"],
    )
    for table in ("declined_pairs", "exclusions"):
        _listed(
            table,
            sa.Column("family_id", ID, nullable=False),
            sa.Column("volunteer_id", ID, nullable=False),
        )
        op.create_index(
            op.f(f"ix_{table}_location_id_family_id"), table, ["location_id", "family_id"]
        )
    _listed(
        "absences",
        sa.Column("person_id", ID, nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=False),
    )
    _listed(
        "school_holidays",
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=False),
    )
    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("location_id", ID, nullable=False),
        sa.Column("time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("coordinator", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("family_id", ID, nullable=False),
        sa.Column("volunteer_id", ID, nullable=False),
        sa.Column("slot", sa.String(length=32), nullable=True),
        sa.Column("reason", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["location_id"], ["locations.id"], name=op.f("fk_decisions_location_id_locations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decisions")),
    )
    op.create_index(op.f("ix_decisions_location_id_id"), "decisions", ["location_id", "id"])


def downgrade() -> None:
    for table in (
        "decisions",
        "school_holidays",
        "absences",
        "exclusions",
        "declined_pairs",
        "active_matches",
        "coordinators",
        "families",
        "volunteers",
        "round_settings",
        "locations",
    ):
        op.drop_table(table)
