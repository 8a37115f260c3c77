"""The email channel: render an outbox row's French templates and send it with a stable id.

The Message-ID derives from the outbox id, so a message sent twice (a crash between the SMTP
server's acknowledgement and the commit) is recognisable as the same message downstream.
"""

from __future__ import annotations

import os
import smtplib
import threading
import time
from email.message import EmailMessage
from email.utils import formatdate

from flask import current_app, render_template

from grants import mail
from grants.models import OutboxMessage, User
from grants.settings import Settings


def message_id(outbox_id: int) -> str:
    return f"<outbox-{outbox_id}@grants>"


def build_email(row: OutboxMessage, recipient: User) -> EmailMessage:
    context = {**(row.context or {}), "recipient": recipient, "subject": row.subject}
    settings: Settings = current_app.extensions["grants_settings"]
    message = EmailMessage()
    message["From"] = settings.mail_sender
    message["To"] = recipient.email
    message["Subject"] = row.subject
    message["Message-ID"] = message_id(row.id)
    message["Date"] = formatdate(localtime=False)
    message.set_content(render_template(f"emails/{row.template}.txt", **context))
    message.add_alternative(
        render_template(f"emails/{row.template}.html", **context), subtype="html"
    )
    return message


def send_email(row: OutboxMessage, recipient: User) -> EmailMessage:
    """Send through the configured mail backend (SMTP in production); raises on failure."""
    message = build_email(row, recipient)
    settings: Settings = current_app.extensions["grants_settings"]
    if settings.mail_backend == "smtp":
        _smtp_send(settings, message)
    else:
        mail._deliver(settings, message)
    return message


# One SMTP connection per worker process and thread, reused across deliveries (connect, EHLO
# and QUIT cost more than the message itself). A connection idle for longer than IDLE_SECONDS is
# replaced before use; any error drops it and the task is retried, never resent blindly.
IDLE_SECONDS = 20.0
_local = threading.local()


def _smtp_send(settings: Settings, message: EmailMessage) -> None:
    key = (os.getpid(), settings.smtp_host, settings.smtp_port)
    cached = getattr(_local, "smtp", None)
    if cached is not None and (cached[0] != key or time.monotonic() - cached[2] > IDLE_SECONDS):
        _drop(cached[1])
        cached = None
    smtp = cached[1] if cached else smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30)
    _local.smtp = None
    try:
        smtp.send_message(message)
    except Exception:
        _drop(smtp)
        raise
    _local.smtp = (key, smtp, time.monotonic())


def _drop(smtp: smtplib.SMTP) -> None:
    try:
        smtp.quit()
    except Exception:
        smtp.close()
