"""Where each institution signs its letters and contracts from (the seat of its administration):
the ARS and the Région by kind, a Département at its préfecture; Paris otherwise."""

from __future__ import annotations

PLACE_BY_KIND = {
    "ars_fir": "Saint-Denis",
    "ars_envelope": "Saint-Denis",
    "region": "Saint-Ouen-sur-Seine",
}
PLACE_BY_DEPARTEMENT = {
    "75": "Paris",
    "77": "Melun",
    "78": "Versailles",
    "91": "Évry-Courcouronnes",
    "92": "Nanterre",
    "93": "Bobigny",
    "94": "Créteil",
    "95": "Cergy",
}


def signing_place(kind: str, departement_code: str | None) -> str:
    if kind in PLACE_BY_KIND:
        return PLACE_BY_KIND[kind]
    return PLACE_BY_DEPARTEMENT.get(departement_code or "", "Paris")
