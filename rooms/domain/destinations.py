"""Where a search looks: a city or a country as a person types it.

A city matches whatever its accents and case ("lome" is Lomé, "PARIS" is Paris); a country is
named by its ISO 3166-1 code (alpha-2 or alpha-3) or by its name in English or in French
("France", "Japon", "japan", "fr"). The names come from pycountry, which ships the ISO
3166-1 names and the iso-codes project's French translations of them.
"""

from __future__ import annotations

import gettext
import re
import unicodedata
from dataclasses import dataclass
from functools import cache

import pycountry

# Names people use that ISO does not list.
ALIASES = {
    "uk": "GB",
    "great britain": "GB",
    "grande bretagne": "GB",
    "angleterre": "GB",
    "england": "GB",
    "america": "US",
    "amerique": "US",
    "usa": "US",
    "holland": "NL",
    "hollande": "NL",
}
_NOT_A_LETTER = re.compile(r"[\W_]+")


def fold(text: str) -> str:
    """Text as a search compares it: no accents, no case, punctuation and spaces as one space
    ("Côte d\u2019Ivoire" and "cote d'ivoire" alike)."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    return _NOT_A_LETTER.sub(" ", plain).strip()


@cache
def _countries() -> dict[str, str]:
    """Every name and code of every country, folded, to its alpha-2 code."""
    french = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["fr"])
    found: dict[str, str] = {}
    for country in pycountry.countries:
        names = [
            getattr(country, attribute, None)
            for attribute in ("name", "common_name", "official_name")
        ]
        for name in filter(None, names):
            found.setdefault(fold(name), country.alpha_2)
            found.setdefault(fold(french.gettext(name)), country.alpha_2)
        found[fold(country.alpha_3)] = country.alpha_2
        found[fold(country.alpha_2)] = country.alpha_2
    return found | ALIASES


def country_code(text: str) -> str | None:
    """The alpha-2 code of the country `text` names, or None."""
    return _countries().get(fold(text))


@dataclass(frozen=True)
class Place:
    """What a search asks for, each part optional, all asked parts to hold: a `destination`
    (a city, or a country), a `city`, a `country` (a code or a name)."""

    destination: str | None = None
    city: str | None = None
    country: str | None = None

    @property
    def asked(self) -> str | None:
        """The place as the person wrote it, to say it back; None when none was asked."""
        parts = [part.strip() for part in (self.destination, self.city, self.country) if part]
        return ", ".join(parts) or None

    def holds(self, hotel_city: str, hotel_country: str) -> bool:
        """Whether a hotel in `hotel_city`, `hotel_country` (alpha-2) is in this place."""
        city = fold(hotel_city)
        if self.destination is not None:
            wanted = fold(self.destination)
            if wanted != city and country_code(self.destination) != hotel_country:
                return False
        if self.city is not None and fold(self.city) != city:
            return False
        return self.country is None or country_code(self.country) == hotel_country
