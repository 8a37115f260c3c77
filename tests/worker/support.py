"""Real parts for the worker tests: an SMTP server on loopback that records what it accepts, and
Celery worker processes started, killed and restarted like in production."""

from __future__ import annotations

import asyncio
import email
import email.policy
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Received:
    message_id: str
    to: str
    subject: str
    body: str


@dataclass
class RecordingHandler:
    """aiosmtpd handler. A message counts as delivered only once acknowledged: if the client
    has gone (its worker was killed) before our 250 reply, the message is not recorded — the
    sender never learnt it was accepted and will send it again."""

    delay: float = 0.0
    hold_on: int | None = None  # hold the n-th DATA until ``release`` is set
    messages: list[Received] = field(default_factory=list)
    data_commands: int = 0
    holding: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    dropped: int = 0

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
        self.data_commands += 1
        number = self.data_commands
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.hold_on == number:
            self.holding.set()
            try:
                while not self.release.is_set():
                    await asyncio.sleep(0.02)
                await asyncio.sleep(0.5)  # let the peer's FIN reach the event loop
            except asyncio.CancelledError:  # aiosmtpd cancels the handler on the peer's EOF
                self.dropped += 1
                raise
        transport = server.transport
        if transport is None or transport.is_closing():
            self.dropped += 1
            return "421 Client gone, message not accepted"
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        body = parsed.get_body(("plain",))
        self.messages.append(
            Received(
                message_id=str(parsed["Message-ID"]),
                to=str(parsed["To"]),
                subject=str(parsed["Subject"]),
                body=body.get_content() if body is not None else "",
            )
        )
        return "250 Message accepted for delivery"

    def ids(self) -> list[str]:
        return [m.message_id for m in self.messages]


class WorkerProcess:
    """``python -m celery -A worker.celery_app worker`` in its own process group."""

    def __init__(self, env: dict[str, str], queue: str, log_dir: Path) -> None:
        self.env = env
        self.queue = queue
        self.log = log_dir / f"worker-{uuid.uuid4().hex[:8]}.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.concurrency = 1

    def start(self, timeout: float = 60) -> WorkerProcess:
        command = [
            sys.executable, "-m", "celery", "-A", "worker.celery_app", "worker",
            "--pool=prefork", f"--concurrency={self.concurrency}",
            "-Q", self.queue, "--loglevel=INFO",
            "-n", f"{self.queue}-{uuid.uuid4().hex[:6]}@%h",
            "--without-gossip", "--without-mingle", "--without-heartbeat",
        ]  # fmt: skip
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env={**os.environ, **self.env},
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.wait_for_log("ready.", timeout)
        return self

    def text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def wait_for_log(self, needle: str, timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.text().splitlines():
                if needle in line:
                    return line
            if self.process is not None and self.process.poll() is not None:
                raise AssertionError(f"worker exited:\n{self.text()[-4000:]}")
            time.sleep(0.1)
        raise AssertionError(f"{needle!r} not in the worker log:\n{self.text()[-4000:]}")

    def kill(self) -> None:
        """SIGKILL the whole worker (main process and its pool child), as the OOM killer would."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


def wait_until(predicate, timeout: float = 60, interval: float = 0.2):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {predicate.__name__}")
