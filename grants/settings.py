"""Typed, frozen settings read from ``GRANTS_*`` environment variables, with embedded defaults.

The defaults run the product on one machine with nothing else installed: a SQLite file, uploads on
the local disk, tasks executed in-process and emails written to files.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any


def _default_instance_dir() -> Path:
    return Path(os.environ.get("GRANTS_INSTANCE_DIR", Path.cwd() / "instance")).resolve()


def _coerce(raw: str, target: Any) -> Any:
    if target is bool or target == "bool":
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if target is int or target == "int":
        return int(raw)
    return raw


@dataclass(frozen=True)
class Settings:
    instance_dir: Path = field(default_factory=_default_instance_dir)
    database_url: str = ""
    secret_key: str = ""
    # Storage: "local" (files under instance_dir/uploads) or "s3".
    storage_backend: str = "local"
    storage_path: str = ""
    s3_bucket: str = "grants"
    s3_endpoint_url: str = ""
    s3_region: str = "eu-west-3"
    s3_access_key: str = ""
    s3_secret_key: str = ""
    max_upload_mb: int = 20
    # Tasks: with no broker, tasks run in-process after commit.
    broker_url: str = ""
    # Celery: queue the web process publishes to and the worker consumes; seconds before Redis
    # hands an unacknowledged task (worker killed mid-task) to another worker.
    celery_queue: str = "grants"
    broker_visibility_timeout: int = 3600
    # Notifications: a pending outbox row older than this is re-dispatched by the sweep.
    outbox_sweep_after_seconds: int = 120
    # Mail: "file" writes .eml files under instance_dir/mail; "smtp" sends; "memory" keeps them.
    mail_backend: str = "file"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    mail_sender: str = "ne-pas-repondre@grants.local"
    base_url: str = "http://127.0.0.1:5000"
    cookie_secure: bool = True
    login_rate_limit: str = "10 per minute"
    ratelimit_storage_uri: str = "memory://"
    testing: bool = False

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: Any) -> Settings:
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(f"GRANTS_{f.name.upper()}")
            if raw is not None and f.name != "instance_dir":
                values[f.name] = _coerce(raw, f.type)
        if "GRANTS_INSTANCE_DIR" in env:
            values["instance_dir"] = Path(env["GRANTS_INSTANCE_DIR"]).resolve()
        values.update(overrides)
        return cls(**values).resolved()

    def resolved(self) -> Settings:
        """Fill the defaults that depend on the instance directory."""
        self.instance_dir.mkdir(parents=True, exist_ok=True)
        changes: dict[str, Any] = {}
        if not self.database_url:
            changes["database_url"] = f"sqlite:///{self.instance_dir / 'grants.db'}"
        if not self.storage_path:
            changes["storage_path"] = str(self.instance_dir / "uploads")
        if not self.secret_key:
            changes["secret_key"] = _instance_secret(self.instance_dir)
        return replace(self, **changes) if changes else self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def _instance_secret(instance_dir: Path) -> str:
    """A per-installation secret kept outside the repository, created on first start."""
    path = instance_dir / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()
