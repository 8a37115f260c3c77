"""Work recorded in a transaction and started once it has really committed.

A service calls ``defer(key, item)`` inside its transaction; the handler registered for ``key``
receives the items after the commit (never when a savepoint is released: the rows are not
committed yet), and they are dropped on rollback. Notification delivery, scoring, the committee
pack and convocations, and agreement documents all go through it. The session listeners are
installed once by the app factory, before any request or worker thread runs (installing them
lazily while another thread commits fails with "deque mutated during iteration").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import has_app_context
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from grants.extensions import db

Handler = Callable[[list[Any]], None]
_handlers: dict[str, Handler] = {}
_installed = False


def register(key: str, handler: Handler) -> None:
    """Run ``handler(items)`` after each commit that deferred items under ``key``."""
    _handlers[key] = handler


def defer(key: str, *items: Any) -> None:
    db.session.info.setdefault(key, []).extend(items)


def own_bind() -> Engine | Connection:
    """The engine, or the connection the request's session is bound to (tests join one)."""
    bind = db.session().bind
    return bind if isinstance(bind, Connection) else db.engine


def own_session() -> Session:
    """A session of its own for work started after a commit: its commits do not expire what the
    request loaded, and in tests it joins the test's connection through a savepoint."""
    return Session(
        bind=own_bind(), join_transaction_mode="create_savepoint", expire_on_commit=False
    )


def install() -> None:
    global _installed
    if not _installed:
        event.listen(FlaskSession, "after_commit", _after_commit)
        event.listen(FlaskSession, "after_soft_rollback", _after_soft_rollback)
        _installed = True


def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint released: the real commit comes later
        return
    for key, handler in list(_handlers.items()):
        items = session.info.pop(key, None)
        if items and has_app_context():
            handler(items)


def _after_soft_rollback(session: Session, previous_transaction: object) -> None:
    if getattr(previous_transaction, "parent", None) is None:
        for key in list(_handlers):
            session.info.pop(key, None)
