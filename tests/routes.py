"""Enumerate the application's routes and build a concrete URL for each (access/CSRF matrices).

Routes are read from ``app.url_map`` so routes added later are covered without editing a test.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from flask import Flask
from werkzeug.routing import Rule

from grants.sections import SECTIONS

# Plausible values for parameters nobody passed explicitly.
DEFAULTS: dict[str, object] = {"number": 1, "token": "jeton-inconnu", "filename": "css/site.css"}


@dataclass(frozen=True)
class Route:
    rule: Rule
    method: str
    url: str

    @property
    def endpoint(self) -> str:
        return self.rule.endpoint

    def __str__(self) -> str:
        return f"{self.method} {self.url} ({self.endpoint})"


def rules(app: Flask, method: str) -> list[Rule]:
    return sorted(
        (r for r in app.url_map.iter_rules() if method in (r.methods or set())),
        key=lambda r: (r.rule, r.endpoint),
    )


def section_codes(rule: Rule) -> list[str]:
    """The section codes an endpoint handles, or every code when none names it."""
    own = [s.code for s in SECTIONS if s.endpoint == rule.endpoint]
    return own or [s.code for s in SECTIONS]


def urls(app: Flask, rule: Rule, values: Mapping[str, object], method: str) -> Iterator[str]:
    """Every concrete URL for ``rule``: one per section code when it takes a ``section``."""
    arguments = sorted(rule.arguments)
    filled = {}
    for name in arguments:
        if name in values:
            filled[name] = values[name]
        elif name in DEFAULTS:
            filled[name] = DEFAULTS[name]
        elif name == "section":
            continue
        elif type(rule._converters[name]).__name__ == "IntegerConverter":
            filled[name] = 1
        else:
            filled[name] = "x"
    variants = (
        [{**filled, "section": code} for code in section_codes(rule)]
        if "section" in arguments
        else [filled]
    )
    adapter = app.url_map.bind("localhost")
    for variant in variants:
        yield adapter.build(rule.endpoint, variant, method=method)


def routes(app: Flask, method: str, values: Mapping[str, object]) -> list[Route]:
    return [
        Route(r, method, url) for r in rules(app, method) for url in urls(app, r, values, method)
    ]
