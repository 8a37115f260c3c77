"""Demo data: accounts and dossiers built from the real projects of DOMAIN §6.7."""

from __future__ import annotations

DEMO_PASSWORD = "demo-grants-2026"


def seed_demo() -> list[tuple[str, str]]:
    return []
