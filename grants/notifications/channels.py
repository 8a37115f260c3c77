"""The email channel: render an outbox row's French templates and send it with a stable id.

The Message-ID derives from the outbox id, so a message sent twice (a crash between the SMTP
server's acknowledgement and the commit) is recognisable as the same message downstream.
"""

from __future__ import annotations

import os
import smtplib
import threading
import time
from email import message_from_bytes, policy
from email.header import Header
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formatdate

from flask import current_app, render_template

from grants import mail
from grants.models import OutboxMessage, User
from grants.settings import Settings

# Serialise with CRLF line ends, as SMTP wants them (compat32 keeps the fast header handling).
WIRE_POLICY = policy.compat32.clone(linesep="\r\n")


def message_id(outbox_id: int) -> str:
    return f"<outbox-{outbox_id}@grants>"


def build_email(row: OutboxMessage, recipient: User) -> MIMEMultipart:
    """The message as MIME parts (compat32): the modern ``EmailMessage`` header machinery costs
    about 2.5 ms a message, more than rendering, sending and committing together."""
    context = {**(row.context or {}), "recipient": recipient, "subject": row.subject}
    settings: Settings = current_app.extensions["grants_settings"]
    message = MIMEMultipart("alternative")
    message["From"] = settings.mail_sender
    message["To"] = recipient.email
    message["Subject"] = Header(row.subject, "utf-8")
    message["Message-ID"] = message_id(row.id)
    message["Date"] = formatdate(localtime=False)
    text = render_template(f"emails/{row.template}.txt", **context)
    html = render_template(f"emails/{row.template}.html", **context)
    message.attach(MIMEText(text, "plain", "utf-8"))
    message.attach(MIMEText(html, "html", "utf-8"))
    return message


def send_email(row: OutboxMessage, recipient: User) -> bytes:
    """Send through the configured mail backend (SMTP in production); raises on failure."""
    message = build_email(row, recipient)
    data = message.as_bytes(policy=WIRE_POLICY)
    settings: Settings = current_app.extensions["grants_settings"]
    if settings.mail_backend == "smtp":
        _smtp_send(settings, recipient.email, data)
    else:
        mail._deliver(settings, message_from_bytes(data, policy=policy.default))
    return data


# One SMTP connection per worker process and thread, reused across deliveries (connect, EHLO
# and QUIT cost more than the message itself). A connection idle for longer than IDLE_SECONDS is
# replaced before use; any error drops it and the task is retried, never resent blindly.
IDLE_SECONDS = 20.0
_local = threading.local()


def _smtp_send(settings: Settings, to: str, data: bytes) -> None:
    key = (os.getpid(), settings.smtp_host, settings.smtp_port)
    cached = getattr(_local, "smtp", None)
    if cached is not None and (cached[0] != key or time.monotonic() - cached[2] > IDLE_SECONDS):
        _drop(cached[1])
        cached = None
    smtp = cached[1] if cached else smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30)
    _local.smtp = None
    try:
        smtp.sendmail(settings.mail_sender, [to], data)
    except Exception:
        _drop(smtp)
        raise
    _local.smtp = (key, smtp, time.monotonic())


def _drop(smtp: smtplib.SMTP) -> None:
    try:
        smtp.quit()
    except Exception:
        smtp.close()
