# ruff: noqa: RUF001, RUF002 (French typography: its apostrophe and spaces are meant)
"""Every sentence and label of the voucher, in English and in French. French typography: a
no-break space (U+00A0) before « : ; ! ? », the apostrophe ’."""

from __future__ import annotations

from typing import Any

from web.vouchers.formats import Lang

NBSP = "\u00a0"

TEXTS: dict[Lang, dict[str, str]] = {
    "en": {
        "title": "Booking voucher",
        "intro": "Please hand this voucher to the hotel's reception on arrival.",
        "confirmation_code": "Confirmation code",
        "guest": "Guest",
        "hotel": "Hotel",
        "address": "Address",
        "phone": "Phone",
        "stay": "Stay",
        "stay_value": "{check_in} to {check_out}",
        "nights.one": "{count} night",
        "nights.other": "{count} nights",
        "check_in": "Check-in",
        "check_in_value": "from {time}",
        "check_out": "Check-out",
        "check_out_value": "until {time}",
        "times_note": "Times are in the hotel's time zone.",
        "room_type": "Room",
        "guests": "Guests",
        "guests.one": "{count} person",
        "guests.other": "{count} people",
        "prices": "Prices",
        "night": "Night",
        "price": "Price",
        "total": "Total",
        "currency_note": "Amounts in {currency}, the hotel's currency.",
        "cancellation": "Cancellation terms",
        "terms.free_until": "Free cancellation until {free_until}. After that, the first "
        "night ({amount}) is charged.",
        "terms.first_night_charged": "The free cancellation period has ended: a cancellation "
        "now costs the first night ({amount}).",
        "terms.unknown": "Ask the hotel for its cancellation terms.",
        "not_given": "—",
    },
    "fr": {
        "title": "Bon d’échange",
        "intro": "Merci de présenter ce bon à la réception de l’hôtel à votre arrivée.",
        "confirmation_code": "Code de confirmation",
        "guest": "Client",
        "hotel": "Hôtel",
        "address": "Adresse",
        "phone": "Téléphone",
        "stay": "Séjour",
        "stay_value": "du {check_in} au {check_out}",
        "nights.one": "{count} nuit",
        "nights.other": "{count} nuits",
        "check_in": "Arrivée",
        "check_in_value": "à partir de {time}",
        "check_out": "Départ",
        "check_out_value": "jusqu’à {time}",
        "times_note": "Les heures sont celles du fuseau horaire de l’hôtel.",
        "room_type": "Chambre",
        "guests": "Voyageurs",
        "guests.one": "{count} personne",
        "guests.other": "{count} personnes",
        "prices": "Tarifs",
        "night": "Nuit",
        "price": "Prix",
        "total": "Total",
        "currency_note": "Montants en {currency}, la devise de l’hôtel.",
        "cancellation": "Conditions d’annulation",
        "terms.free_until": "Annulation gratuite jusqu’au {free_until}. Passé ce délai, la "
        "première nuit ({amount}) est facturée.",
        "terms.first_night_charged": f"Le délai d’annulation gratuite est passé{NBSP}: une "
        "annulation coûte désormais la première nuit ({amount}).",
        "terms.unknown": "Demandez à l’hôtel ses conditions d’annulation.",
        "not_given": "—",
    },
}


def text(lang: Lang, key: str, **values: Any) -> str:
    return TEXTS[lang][key].format(**values)


def counted(lang: Lang, key: str, count: int) -> str:
    """`2 nights`, `1 nuit`: French counts 0 and 1 as one, English 1 only."""
    one = count in (0, 1) if lang == "fr" else count == 1
    return text(lang, f"{key}.{'one' if one else 'other'}", count=count)
