"""How personal data is normalized and checked before it is stored.

Error messages describe the rule, never the value: they may end up in a response that an
intermediary logs, and the value is personal data.
"""

from __future__ import annotations

import re
import unicodedata

from clients.domain.countries import is_country_code

NAME_MAX_LENGTH = 100
EMAIL_MAX_LENGTH = 254
DOCUMENT_NUMBER_MAX_LENGTH = 40

# E.164: a '+', a country code that never starts with 0, at most 15 digits in all. Seven is
# the shortest number in use (small Pacific numbering plans).
_E164 = re.compile(r"\+[1-9][0-9]{6,14}")
_PHONE_PUNCTUATION = re.compile(r"[\s().\-/\u2010-\u2015]")  # \u2010-\u2015: other dashes
# "+33 (0)6 12…": the national trunk prefix written beside the country code, not dialled.
_TRUNK_ZERO = re.compile(r"\(\s*0\s*\)")
_EMAIL = re.compile(r"[^@\s\"(),:;<>\[\]\\]+@(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+[^\W\d_]{2,63}")
_DOCUMENT_NUMBER = re.compile(r"[A-Z0-9][A-Z0-9 \-]*[A-Z0-9]|[A-Z0-9]")


class InvalidValue(ValueError):
    """A value refused by a rule: the rule's code, its English sentence and the values the
    sentence names (limits, never the value refused)."""

    def __init__(self, code: str, message: str, params: dict[str, int] | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.params = code, message, dict(params or {})


def _too_long(max_length: int) -> InvalidValue:
    return InvalidValue(
        "string_too_long", f"must be at most {max_length} characters", {"max_length": max_length}
    )


def normalize_name(raw: str) -> str:
    name = " ".join(unicodedata.normalize("NFC", raw).split())
    if not name:
        raise InvalidValue("blank", "must not be blank")
    if len(name) > NAME_MAX_LENGTH:
        raise _too_long(NAME_MAX_LENGTH)
    if any(unicodedata.category(ch).startswith("C") for ch in name):
        raise InvalidValue("control_characters", "must not contain control characters")
    if not any(ch.isalpha() for ch in name):
        raise InvalidValue("name_without_letter", "must contain at least one letter")
    return name


def normalize_email(raw: str) -> str:
    """The address as entered, trimmed; uniqueness uses `email_key` of it."""
    email = unicodedata.normalize("NFC", raw.strip())
    if len(email) > EMAIL_MAX_LENGTH:
        raise _too_long(EMAIL_MAX_LENGTH)
    if not _EMAIL.fullmatch(email) or ".." in email:
        raise InvalidValue("email_invalid", "must be an email address such as name@example.com")
    return email


def email_key(email: str) -> str:
    """The case-insensitive identity of an address: two addresses differing only by case clash."""
    return email.lower()


def normalize_phone(raw: str) -> str:
    """E.164 (`+14155550123`), from the number as people write it: spaces (no-break ones too),
    dots, dashes, slashes and brackets are dropped, a "(0)" after the country code too, and a
    leading international prefix 00 is read as +."""
    phone = _PHONE_PUNCTUATION.sub("", _TRUNK_ZERO.sub("", raw))
    if phone.startswith("00"):
        phone = "+" + phone[2:]
    if not _E164.fullmatch(phone):
        raise InvalidValue(
            "phone_invalid",
            "must be an international number in E.164 form, such as +14155550123",
        )
    return phone


def normalize_country(raw: str) -> str:
    code = raw.strip().upper()
    if not is_country_code(code):
        raise InvalidValue(
            "country_code_invalid", "must be an ISO 3166-1 alpha-2 country code, such as FR or TG"
        )
    return code


def normalize_document_number(raw: str) -> str:
    number = " ".join(raw.split()).upper()
    if len(number) > DOCUMENT_NUMBER_MAX_LENGTH:
        raise _too_long(DOCUMENT_NUMBER_MAX_LENGTH)
    if not _DOCUMENT_NUMBER.fullmatch(number):
        raise InvalidValue(
            "document_number_invalid",
            "must hold letters and digits (spaces and dashes between them)",
        )
    return number


def search_text(*parts: str) -> str:
    """Case- and accent-folded text, so `jose` finds José on MySQL and on SQLite alike."""
    return " ".join(fold(part) for part in parts)


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def search_terms(query: str) -> list[str]:
    return [fold(term) for term in query.split()]
