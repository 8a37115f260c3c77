"""Resolving communes typed by name or INSEE code, and the suggestions for autocompletion."""

from __future__ import annotations

from grants.services import communes


def test_resolve_by_code_name_and_label_in_input_order(app):
    result = communes.resolve_communes(
        ["91687", "", "vigneux sur seine", "Grigny (91286)", "VIRY-CHÂTILLON", "2a004"]
    )
    assert result.errors == {}
    assert [c.insee_code for c in result.communes] == ["91687", "91657", "91286", "2A004"]


def test_resolve_reports_unknown_ambiguous_and_mismatched_inputs(app):
    result = communes.resolve_communes(["Saint-Denis", "Atlantide", "99999", "Grigny (91687)"])
    assert result.communes == []
    assert result.errors[0].startswith("Plusieurs communes s'appellent « Saint-Denis » :")
    assert "Saint-Denis (93066)" in result.errors[0] and "code INSEE" in result.errors[0]
    assert result.errors[1].startswith("Commune inconnue : « Atlantide »")
    assert result.errors[2] == "Aucune commune n'a le code INSEE « 99999 »."
    assert "Viry-Châtillon" in result.errors[3]


def test_ambiguous_names_list_a_bounded_number_of_candidates(app):
    message = communes.resolve_communes(["Sainte-Colombe"]).errors[0]
    assert message.count("(") == communes.MAX_CANDIDATES + 1  # the candidates and the example
    assert "et 4 autres" in message


def test_search_communes_by_word_prefix_and_code(app):
    names = [c.name for c in communes.search_communes("chatillon")]
    assert "Viry-Châtillon" in names and "Châtillon" in names
    assert all(c.insee_code.startswith("9168") for c in communes.search_communes("9168"))
    assert [c.insee_code for c in communes.search_communes("Grigny (91286)")] == ["91286"]
    assert communes.search_communes("") == []
    assert len(communes.search_communes("saint", limit=5)) == 5
