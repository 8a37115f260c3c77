"""Score cards' JSON columns compressed with LZ4 on PostgreSQL.

A card (its inputs and its explained lines, ~3 KB) is above the TOAST threshold, so PostgreSQL
compresses it; with the default pglz that compression was a third of the time a re-score spent
storing a card. LZ4 (PostgreSQL 14+) compresses several times faster for about the same size.
Other databases, and PostgreSQL built without LZ4, keep their default.

Revision ID: 3c5e0a7d9b21
Revises: 1dfc8e86361a
Create Date: 2026-12-02 03:30:00

"""

from alembic import op
from sqlalchemy import text

revision = "3c5e0a7d9b21"
down_revision = "1dfc8e86361a"
branch_labels = None
depends_on = None

COLUMNS = ("inputs", "lines")


def _lz4_available() -> bool:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql" or bind.dialect.server_version_info < (14,):
        return False
    return bool(
        bind.execute(
            text(
                "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
            )
        ).scalar()
    )


def _set_compression(method: str) -> None:
    if _lz4_available():
        for column in COLUMNS:
            op.execute(f"ALTER TABLE score_cards ALTER COLUMN {column} SET COMPRESSION {method}")


def upgrade() -> None:
    _set_compression("lz4")


def downgrade() -> None:
    _set_compression("pglz")
