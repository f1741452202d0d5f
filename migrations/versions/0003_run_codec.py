"""run codec: how each run's proto bytes are stored

Runs are now written deflated (zlib); the new column says so per row. Rows written before it
keep their plain bytes and read as ``identity``, the column's default, so the upgrade rewrites
nothing.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 13:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("run_codec", sa.String(length=10), server_default="identity", nullable=False)
        )


def downgrade() -> None:
    # Deflated rows would be unreadable to the code of revision 0002: inflate them first, a page of
    # rows at a time (a runs table can be large).
    import zlib

    runs = sa.table(
        "runs",
        sa.column("id", sa.String),
        sa.column("run_proto", sa.LargeBinary),
        sa.column("run_codec", sa.String),
    )
    bind = op.get_bind()
    last = ""
    while True:
        page = bind.execute(
            sa.select(runs.c.id, runs.c.run_proto)
            .where(runs.c.run_codec == "zlib", runs.c.id > last)
            .order_by(runs.c.id)
            .limit(_PAGE)
        ).all()
        if not page:
            break
        for run_id, blob in page:
            plain = zlib.decompress(blob) if blob else b""
            bind.execute(
                runs.update().where(runs.c.id == run_id).values(run_proto=plain, run_codec="identity")
            )
        last = page[-1][0]
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.drop_column("run_codec")


_PAGE = 500
