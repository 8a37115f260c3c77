"""Shared plumbing for the benchmark scripts: a throwaway database, the app, timing, RESULT line."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from grants import devtools


@contextmanager
def throwaway_database() -> Iterator[str]:
    """A new database on the server GRANTS_DATABASE_URL points to, or a temporary SQLite file."""
    with devtools.throwaway_database(
        os.environ.get("GRANTS_DATABASE_URL", ""), "grants_bench"
    ) as url:
        yield url


def build_app(database_url: str, instance: Path, **settings: Any):  # type: ignore[no-untyped-def]
    """The product's app on ``database_url``, mail kept in memory unless ``settings`` say else."""
    from grants import create_app
    from grants.settings import Settings

    values: dict[str, Any] = {"mail_backend": "memory", "cookie_secure": False, **settings}
    return create_app(
        Settings(
            instance_dir=instance, database_url=database_url, secret_key="bench", **values
        ).resolved()
    )


def median_seconds(action: Callable[[], object], repeat: int, warmup: int = 3) -> float:
    for _ in range(warmup):
        action()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def result_line(name: str, value: float, target: float, higher_is_better: bool = False) -> str:
    ok = value >= target if higher_is_better else value <= target
    op = ">=" if higher_is_better else "<="
    return f"RESULT name={name} value={value:.2f} target={op}{target} {'PASS' if ok else 'FAIL'}"
