"""Declarative base, naming conventions and the column types every model shares."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, DateTime, MetaData, Numeric, TypeDecorator
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite drops the offset on the way back)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: use timezone-aware UTC")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Money(TypeDecorator[Decimal]):
    """Euros as NUMERIC(14, 2), read back as Decimal on every backend."""

    impl = Numeric(14, 2, asdecimal=True)
    cache_ok = True

    def process_result_value(self, value: object, dialect: object) -> Decimal | None:
        if value is None:
            return None
        return Decimal(str(value)).quantize(Decimal("0.01"))


def sql_in(column: str, values: Iterable[str]) -> str:
    """``column IN ('a', 'b')`` for CHECK constraints."""
    allowed = ", ".join(f"'{v}'" for v in values)
    return f"{column} IN ({allowed})"


def check_in(column: str, values: Iterable[str], name: str | None = None) -> CheckConstraint:
    """A CHECK constraint keeping a string column inside a closed vocabulary."""
    return CheckConstraint(sql_in(column, values), name=name or f"{column}_allowed")


# Indexes that only the migrations define (expression indexes SQLAlchemy cannot express portably).
MIGRATION_ONLY_INDEXES = frozenset({"ix_dossiers_search"})


def include_in_autogenerate(obj: object, name: str | None, type_: str, *_args: object) -> bool:
    """Alembic hook: leave the migration-only indexes out of model/schema comparisons."""
    return not (type_ == "index" and name in MIGRATION_ONLY_INDEXES)
