"""One row of the transition table: what it changes, for whom, under which conditions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from grants.workflow import guards


@dataclass(frozen=True)
class Transition:
    machine: str  # "dossier", "track", "agreement" or "amendment"
    event: str
    sources: frozenset[str]
    target: str | None  # None: computed by the engine (resume goes back where it was)
    roles: frozenset[str]
    staff_label: str
    promoter_label: str
    guards: tuple[Callable[[Any, guards.Context], list[str]], ...] = ()
    actions: tuple[Callable[[Any, guards.Context], None], ...] = ()
    effects: tuple[Callable[..., None], ...] = ()
    forbidden_message: str = "Vous n'avez pas le droit d'effectuer cette action sur ce dossier."
    form: str | None = None  # the form a person fills to fire it (None: a plain button)
    tags: frozenset[str] = field(default_factory=frozenset)

    @property
    def automatic(self) -> bool:
        return "system" in self.roles


def states(*names: str) -> frozenset[str]:
    return frozenset(names)
