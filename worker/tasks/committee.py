"""Committee tasks: build the committee pack (dossier de séance) of a frozen agenda."""

from __future__ import annotations

from celery import shared_task

from grants.services import committee_pack


@shared_task(name="grants.committee.build_pack")
def build_pack(job_id: int) -> None:
    """Idempotent: a finished job is left alone; an interrupted one starts over (acks late)."""
    committee_pack.build_pack(int(job_id))
