"""The shared instruction committee (DOMAIN A13, T7–T10): sessions and the people named for them.

The agenda lives in ``committee_agenda``, what is recorded during the sitting in
``committee_recording`` and the procès-verbal in ``committee_minutes``. A session goes
preparing → frozen (agenda arrêté, convocation sent) → held (recording opened) → closed (minutes
approved). Every change is audited on the stream ``committee:<id>`` in the caller's transaction;
refusals raise ``CommitteeRefused`` with the HTTP status to answer and a French message.
Services flush, never commit.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from grants.extensions import db
from grants.models import CommitteeItem, CommitteeMember, CommitteeSession, User
from grants.models.base import utcnow
from grants.models.choices import COMMITTEE_KINDS, COMMITTEE_MEMBER_ROLES
from grants.permissions import STAFF_ROLES
from grants.services import audit

PARIS = ZoneInfo("Europe/Paris")
SECRETARY_ROLE = "committee_secretary"
STALE_MESSAGE = (
    "Cette séance a été modifiée entre-temps (par vous dans un autre onglet ou par un collègue) : "
    "rechargez la page pour voir sa dernière version, puis recommencez."
)
NOT_PREPARING_MESSAGE = "L'ordre du jour de cette séance est arrêté : il n'est plus modifiable."


class CommitteeRefused(Exception):  # noqa: N818 (named like ledger.LedgerRefused)
    """A refused committee operation; ``status`` is the HTTP status to answer."""

    def __init__(
        self,
        status: int,
        message: str,
        reasons: list[str] | None = None,
        *,
        field: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.reasons = reasons or []
        self.field = field  # the form field the message is about, when there is one


# --- plumbing shared by the committee services ---------------------------------------------------


def stream(session: CommitteeSession) -> str:
    return f"committee:{session.id}"


def record(
    session: CommitteeSession,
    action: str,
    actor: User | None,
    data: dict[str, Any] | None = None,
    *,
    dossier_id: int | None = None,
) -> None:
    """Audit ``committee.<action>`` on the session's stream and, for a dossier, on its own."""
    payload = {"session": session.id, **(data or {})}
    audit.record(
        f"committee.{action}",
        stream=stream(session),
        actor=actor,
        dossier_id=dossier_id,
        data=payload,
    )
    if dossier_id is not None:
        audit.record(
            f"committee.{action}",
            actor=actor,
            dossier_id=dossier_id,
            data=payload,
        )


def check_version(session: CommitteeSession, expected_version: int | None) -> None:
    """409 when the page was rendered from an older version of the session."""
    if expected_version is not None and expected_version != session.lock_version:
        raise CommitteeRefused(409, STALE_MESSAGE)


def touch(session: CommitteeSession) -> None:
    """Bump the session's version (compare-and-set on flush), whatever changed under it."""
    flag_modified(session, "title")
    flush()


def flush() -> None:
    try:
        db.session.flush()
    except StaleDataError as exc:
        raise CommitteeRefused(409, STALE_MESSAGE) from exc


def set_state(committee: CommitteeSession, state: str) -> None:
    """Move the session along preparing → frozen → held → closed (its own small machine, not
    the dossier workflow)."""
    committee.state = state


def require_state(session: CommitteeSession, *states: str, message: str | None = None) -> None:
    if session.state not in states:
        raise CommitteeRefused(
            422,
            message or f"Impossible : la séance est dans l'état « {session.state_label} ».",
        )


def require_secretary(user: User) -> None:
    if user.role != SECRETARY_ROLE:
        raise CommitteeRefused(
            403,
            "Seul le secrétariat du comité peut préparer les séances et en enregistrer les avis.",
        )


def is_secretary(user: User) -> bool:
    return user.role == SECRETARY_ROLE


def paris_to_utc(day: date, at: time) -> datetime:
    """A date and a wall-clock time in Paris, as the UTC instant stored."""
    return datetime.combine(day, at, tzinfo=PARIS).astimezone(UTC)


def in_paris(moment: datetime) -> datetime:
    return moment.astimezone(PARIS)


# --- reading -----------------------------------------------------------------------------------


def readable_session(user: User, session_id: int) -> CommitteeSession | None:
    """The session if ``user`` may read it: the secretariat reads every session, any other staff
    member only the sessions they are named in. None otherwise (the page answers 404)."""
    found = db.session.get(CommitteeSession, session_id)
    if found is None or user.role not in STAFF_ROLES:
        return None
    if is_secretary(user) or member_of(found, user) is not None:
        return found
    return None


def member_of(session: CommitteeSession, user: User) -> CommitteeMember | None:
    return next((m for m in session.members if m.user_id == user.id), None)


def sessions_for(user: User) -> tuple[list[CommitteeSession], list[CommitteeSession]]:
    """(upcoming, past) sessions ``user`` may read: upcoming from today on (Paris), soonest
    first; past ones most recent first."""
    query = select(CommitteeSession).options(selectinload(CommitteeSession.items))
    if not is_secretary(user):
        query = query.where(
            CommitteeSession.id.in_(
                select(CommitteeMember.session_id).where(CommitteeMember.user_id == user.id)
            )
        )
    today = paris_to_utc(in_paris(utcnow()).date(), time(0, 0))
    upcoming, past = [], []
    for found in db.session.scalars(query.order_by(CommitteeSession.meets_at)):
        (upcoming if found.meets_at >= today else past).append(found)
    return upcoming, list(reversed(past))


def staff_users() -> list[User]:
    """Accounts that can be named members or guests (staff, active)."""
    return list(
        db.session.scalars(
            select(User)
            .where(User.role.in_(STAFF_ROLES), User.active.is_(True))
            .order_by(User.full_name, User.id)
        )
    )


def current_item(dossier_id: int) -> CommitteeItem | None:
    """The dossier's latest agenda item (the one the workflow reads)."""
    return db.session.scalar(
        select(CommitteeItem)
        .where(CommitteeItem.dossier_id == dossier_id)
        .order_by(CommitteeItem.id.desc())
        .limit(1)
    )


# --- sessions ----------------------------------------------------------------------------------


def _validated(
    title: str, kind: str, meets_at: datetime, place: str, video_link: str
) -> dict[str, Any]:
    title, place, video_link = title.strip(), place.strip(), video_link.strip()
    if not title:
        raise CommitteeRefused(422, "Indiquez l'intitulé de la séance.")
    if kind not in COMMITTEE_KINDS:
        raise CommitteeRefused(422, "Choisissez le type de séance.")
    if meets_at.tzinfo is None:
        raise ValueError("meets_at must be timezone-aware")
    if not place and not video_link:
        raise CommitteeRefused(422, "Indiquez le lieu de la séance ou le lien de visioconférence.")
    if video_link and not video_link.startswith(("https://", "http://")):
        raise CommitteeRefused(422, "Le lien de visioconférence commence par https://.")
    return {
        "title": title,
        "kind": kind,
        "meets_at": meets_at.astimezone(UTC),
        "place": place,
        "video_link": video_link,
    }


def create_session(
    *,
    actor: User,
    title: str,
    kind: str,
    meets_at: datetime,
    place: str = "",
    video_link: str = "",
) -> CommitteeSession:
    require_secretary(actor)
    values = _validated(title, kind, meets_at, place, video_link)
    session = CommitteeSession(**values, state="preparing", created_by_id=actor.id)
    db.session.add(session)
    flush()
    record(session, "session_created", actor, _described(session))
    return session


def update_session(
    session: CommitteeSession,
    *,
    actor: User,
    expected_version: int | None,
    title: str,
    kind: str,
    meets_at: datetime,
    place: str = "",
    video_link: str = "",
) -> CommitteeSession:
    """Change the session's particulars, only while its agenda is being prepared (afterwards the
    convocation has gone out with them)."""
    require_secretary(actor)
    check_version(session, expected_version)
    require_state(session, "preparing", message=NOT_PREPARING_MESSAGE)
    values = _validated(title, kind, meets_at, place, video_link)
    before = _described(session)
    for name, value in values.items():
        setattr(session, name, value)
    touch(session)
    record(session, "session_updated", actor, {"from": before, "to": _described(session)})
    return session


def _described(session: CommitteeSession) -> dict[str, Any]:
    return {
        "title": session.title,
        "kind": session.kind,
        "meets_at": session.meets_at.isoformat(),
        "place": session.place,
        "video_link": session.video_link,
    }


# --- members and guests ------------------------------------------------------------------------


def add_member(
    session: CommitteeSession,
    *,
    actor: User,
    expected_version: int | None,
    role: str,
    user: User | None = None,
    full_name: str = "",
    institution: str = "",
    email: str = "",
) -> CommitteeMember:
    """Name a member or guest: an existing staff account, or a person without an account
    (name, institution, optional email for the convocation)."""
    require_secretary(actor)
    check_version(session, expected_version)
    require_state(session, "preparing", message=NOT_PREPARING_MESSAGE)
    if role not in COMMITTEE_MEMBER_ROLES:
        raise CommitteeRefused(422, "Choisissez le rôle dans la séance.", field="role")
    if role == "chair" and any(m.role == "chair" for m in session.members):
        raise CommitteeRefused(422, "La séance a déjà une présidence.", field="role")
    if user is not None:
        if user.role not in STAFF_ROLES:
            raise CommitteeRefused(
                422, "Ce compte n'appartient pas à une institution partenaire.", field="user_id"
            )
        if member_of(session, user) is not None:
            raise CommitteeRefused(
                422, f"{user.full_name} est déjà nommé(e) pour cette séance.", field="user_id"
            )
        full_name = user.full_name
        institution = institution.strip() or ", ".join(f.name for f in user.financers)
        email = user.email
    full_name, institution, email = full_name.strip(), institution.strip(), email.strip()
    if not full_name:
        raise CommitteeRefused(422, "Indiquez le nom de la personne.", field="full_name")
    if not institution:
        raise CommitteeRefused(422, "Indiquez l'institution de la personne.", field="institution")
    member = CommitteeMember(
        session=session,
        user_id=user.id if user is not None else None,
        full_name=full_name[:200],
        institution=institution[:200],
        email=email[:254],
        role=role,
    )
    db.session.add(member)
    touch(session)
    record(
        session,
        "member_added",
        actor,
        {
            "member": member.id,
            "user": member.user_id,
            "name": member.full_name,
            "institution": member.institution,
            "role": role,
        },
    )
    return member


def remove_member(
    session: CommitteeSession,
    member: CommitteeMember,
    *,
    actor: User,
    expected_version: int | None,
) -> None:
    require_secretary(actor)
    check_version(session, expected_version)
    require_state(session, "preparing", message=NOT_PREPARING_MESSAGE)
    if member.session_id != session.id:
        raise CommitteeRefused(404, "Cette personne n'est pas nommée pour cette séance.")
    data = {"member": member.id, "name": member.full_name, "role": member.role}
    session.members.remove(member)
    touch(session)
    record(session, "member_removed", actor, data)
