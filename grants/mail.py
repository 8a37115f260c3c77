"""Outgoing email: SMTP in production, files under instance/mail by default, memory in tests."""

from __future__ import annotations

import smtplib
import uuid
from email.message import EmailMessage
from pathlib import Path

from flask import Flask, current_app, render_template

from grants.settings import Settings


def memory_outbox(app: Flask) -> list[EmailMessage]:
    return app.extensions.setdefault("grants_memory_outbox", [])


def send_template(to: str, subject: str, template: str, **context: object) -> EmailMessage:
    """Render ``emails/<template>.txt`` and ``.html`` and send them as one message."""
    text = render_template(f"emails/{template}.txt", **context)
    html = render_template(f"emails/{template}.html", **context)
    return send(to, subject, text, html)


def send(to: str, subject: str, text: str, html: str | None = None) -> EmailMessage:
    settings: Settings = current_app.extensions["grants_settings"]
    message = EmailMessage()
    message["From"] = settings.mail_sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = f"<{uuid.uuid4().hex}@grants>"
    message.set_content(text)
    if html:
        message.add_alternative(html, subtype="html")
    _deliver(settings, message)
    return message


def _deliver(settings: Settings, message: EmailMessage) -> None:
    if settings.mail_backend == "memory":
        memory_outbox(current_app._get_current_object()).append(message)  # type: ignore[attr-defined]
    elif settings.mail_backend == "smtp":
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30) as smtp:
            smtp.send_message(message)
    elif settings.mail_backend == "file":
        folder = Path(settings.instance_dir) / "mail"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{uuid.uuid4().hex}.eml").write_bytes(bytes(message))
        current_app.logger.info("email written to %s", folder)
    else:
        raise ValueError(f"unknown mail backend {settings.mail_backend!r}")
