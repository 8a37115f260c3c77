"""What the payment services share: the refusal they raise, row locks and amount parsing."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from sqlalchemy import text

from grants.extensions import db

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("1000000000")


class PaymentRefused(Exception):  # noqa: N818 (the name callers catch, like LedgerRefused)
    """The step is refused: ``status`` (403, 404, 409, 422), a French ``message`` and the
    messages that belong to one field of the form (``errors``: [(field or None, message)])."""

    def __init__(
        self, status: int, message: str, errors: list[tuple[str | None, str]] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = errors or []


def lock_row(table: str, row_id: int) -> None:
    """Hold the row until the end of the transaction (PostgreSQL ``FOR UPDATE``; on SQLite a
    no-op write, which takes the database's write lock before anything is read)."""
    if db.session.get_bind().dialect.name == "postgresql":
        statement = f"SELECT id FROM {table} WHERE id = :id FOR UPDATE"
    else:
        statement = f"UPDATE {table} SET id = id WHERE id = :id"
    db.session.execute(text(statement), {"id": row_id})


def parse_amount(value: str | Decimal | None) -> Decimal | None:
    """'1 234 567,89 €' → Decimal (positive, two decimals at most); None otherwise."""
    if isinstance(value, Decimal):
        cleaned = str(value)
    else:
        cleaned = (value or "").replace("\u202f", "").replace("\xa0", "").replace(" ", "")
        cleaned = cleaned.replace("€", "").replace(",", ".")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        return None
    if not amount.is_finite() or amount <= 0 or amount > MAX_AMOUNT:
        return None
    if amount != amount.quantize(CENT):
        return None
    return amount.quantize(CENT)
