"""Where a search looks: cities without accents or case, countries by code or by name."""

from __future__ import annotations

import pytest

from rooms.domain.destinations import Place, country_code, fold

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("fr", "FR"),
        ("FRA", "FR"),
        ("France", "FR"),
        ("france", "FR"),
        ("Japon", "JP"),
        ("japan", "JP"),
        ("Togo", "TG"),
        ("États-Unis", "US"),
        ("etats unis", "US"),
        ("United Kingdom", "GB"),
        ("Royaume-Uni", "GB"),
        ("UK", "GB"),
        ("Côte d\u2019Ivoire", "CI"),
        ("Afrique du Sud", "ZA"),
        ("xx", None),
        ("Lomé", None),
    ],
)
def test_a_country_is_named_by_its_codes_or_its_english_or_french_name(
    text: str, code: str | None
) -> None:
    assert country_code(text) == code


def test_folding_drops_accents_case_and_punctuation() -> None:
    assert fold("  LOMÉ ") == fold("lome") == "lome"
    assert fold("São Paulo") == fold("sao-paulo")


@pytest.mark.parametrize(
    ("place", "city", "country", "holds"),
    [
        (Place("lome"), "Lomé", "TG", True),
        (Place("PARIS"), "Paris", "FR", True),
        (Place("France"), "Paris", "FR", True),
        (Place("fr"), "Paris", "FR", True),
        (Place("Japon"), "Tokyo", "JP", True),
        (Place("France"), "Lomé", "TG", False),
        (Place("xx"), "Paris", "FR", False),
        (Place(city="sao paulo"), "São Paulo", "BR", True),
        (Place(country="Brésil"), "São Paulo", "BR", True),
        (Place(city="Paris", country="JP"), "Paris", "FR", False),
    ],
)
def test_a_place_holds_the_hotels_in_it(place: Place, city: str, country: str, holds: bool) -> None:
    assert place.holds(city, country) is holds


def test_a_place_says_back_what_was_asked() -> None:
    assert Place().asked is None
    assert Place(" lome ").asked == "lome"
    assert Place(city="Paris", country="FR").asked == "Paris, FR"
