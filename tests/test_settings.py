"""Settings: GRANTS_* environment variables with coercion, defaults inside the instance directory,
and a secret key generated once per installation."""

from __future__ import annotations

import dataclasses
import stat
from pathlib import Path

import pytest

from grants.settings import Settings


def _env(tmp_path: Path, **values: str) -> dict[str, str]:
    return {"GRANTS_INSTANCE_DIR": str(tmp_path), **{f"GRANTS_{k}": v for k, v in values.items()}}


def test_environment_variables_are_read_and_coerced(tmp_path: Path) -> None:
    settings = Settings.from_env(
        _env(
            tmp_path,
            DATABASE_URL="postgresql+psycopg://db.exemple/grants",
            SECRET_KEY="s3cret",
            MAX_UPLOAD_MB="35",
            SMTP_PORT="2525",
            COOKIE_SECURE="false",
            TESTING="yes",
            MAIL_BACKEND="smtp",
            LOGIN_RATE_LIMIT="5 per minute",
        )
    )
    assert settings.instance_dir == tmp_path.resolve()
    assert settings.database_url == "postgresql+psycopg://db.exemple/grants"
    assert settings.secret_key == "s3cret"
    assert settings.max_upload_mb == 35 and settings.smtp_port == 2525
    assert settings.cookie_secure is False and settings.testing is True
    assert settings.mail_backend == "smtp" and settings.login_rate_limit == "5 per minute"
    assert not settings.is_sqlite
    assert not (tmp_path / "secret_key").exists()  # an explicit key writes no file


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1", True), ("true", True), ("TRUE", True), ("yes", True), ("on", True), (" On ", True)]
    + [("0", False), ("false", False), ("no", False), ("off", False), ("", False)],
)
def test_booleans_accept_the_usual_spellings(tmp_path: Path, raw: str, expected: bool) -> None:
    assert Settings.from_env(_env(tmp_path, COOKIE_SECURE=raw)).cookie_secure is expected


def test_a_malformed_integer_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        Settings.from_env(_env(tmp_path, MAX_UPLOAD_MB="vingt"))


def test_overrides_win_over_the_environment(tmp_path: Path) -> None:
    settings = Settings.from_env(_env(tmp_path, MAIL_BACKEND="smtp"), mail_backend="memory")
    assert settings.mail_backend == "memory"


def test_defaults_live_in_the_instance_directory(tmp_path: Path) -> None:
    instance = tmp_path / "instance"
    settings = Settings.from_env({"GRANTS_INSTANCE_DIR": str(instance)})
    assert instance.is_dir()
    assert settings.database_url == f"sqlite:///{instance.resolve() / 'grants.db'}"
    assert settings.is_sqlite
    assert settings.storage_path == str(instance.resolve() / "uploads")
    assert settings.storage_backend == "local" and settings.mail_backend == "file"
    assert settings.cookie_secure is True  # secure unless explicitly turned off
    assert settings.max_upload_mb == 20


def test_the_secret_key_is_generated_once_and_reused(tmp_path: Path) -> None:
    first = Settings.from_env(_env(tmp_path))
    key_file = tmp_path / "secret_key"
    assert len(first.secret_key) >= 32
    assert key_file.read_text().strip() == first.secret_key
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert Settings.from_env(_env(tmp_path)).secret_key == first.secret_key
    other = Settings.from_env(_env(tmp_path / "autre"))
    assert other.secret_key != first.secret_key


def test_settings_are_frozen(tmp_path: Path) -> None:
    settings = Settings.from_env(_env(tmp_path))
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.secret_key = "x"  # type: ignore[misc]
