"""run list indexes: status and chosen role each with (created_at, id)

ListRuns filtered by status or chosen role pages newest first; with an index on the filter column
alone the database sorts every matching run for each page. These composite indexes give the rows
in page order and replace the single-column ones (a leading chosen_role_id still serves the
foreign key's ON DELETE SET NULL).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 08:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.create_index("ix_runs_status_created_at_id", ["status", "created_at", "id"], unique=False)
        batch_op.create_index(
            "ix_runs_chosen_role_id_created_at_id", ["chosen_role_id", "created_at", "id"], unique=False
        )
        batch_op.drop_index("ix_runs_status")
        batch_op.drop_index("ix_runs_chosen_role_id")


def downgrade() -> None:
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.create_index("ix_runs_chosen_role_id", ["chosen_role_id"], unique=False)
        batch_op.create_index("ix_runs_status", ["status"], unique=False)
        batch_op.drop_index("ix_runs_chosen_role_id_created_at_id")
        batch_op.drop_index("ix_runs_status_created_at_id")
