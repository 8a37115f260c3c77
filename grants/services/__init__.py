"""Operations that change state. They flush, never commit: one commit per request or task."""
