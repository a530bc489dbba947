"""Why a saga failed: each reason a code with an English sentence, stored as that sentence.

The orchestrator stores a failed saga's reason as the English sentence (`reason_text`), which
operators and API users read as it is. The apps translate it: `parse_reason` finds the code and
the values back in a stored sentence, older ones included, and the apps look the code up in
their texts (web/static/shared/problems.js). A sentence no template matches (a cancellation's
own words, say) has no code, and the apps show it as it is.
"""

from __future__ import annotations

import re
from functools import cache

# The sentences are those sagas have always stored: changing one would leave stored sagas
# unreadable by `parse_reason`, so a new wording is a new template added to OLDER_FORMS.
REASONS: dict[str, str] = {
    "reason.no_room_free": "No room of this type is free for these dates.",
    "reason.unknown_room_type": "This hotel has no such room type.",
    "reason.over_capacity": "This room type cannot take that many guests.",
    "reason.invalid_stay": "The requested stay is not valid.",
    "reason.client_unknown": "The client is unknown.",
    "reason.client_blocked": "The client is blocked.",
    "reason.hold_expired": "The room hold expired before the booking could be confirmed.",
    "reason.change_hold_expired": (
        "The hold on the new nights expired before the change was made; the booking is unchanged."
    ),
    "reason.compensation": "The booking could not be completed.",
    "reason.operator_stopped": "An operator stopped the booking.",
    "reason.reservation_rejected": "The reservation could not be written: {detail}.",
    "reason.no_answer": "The {service} service did not answer in time.",
    "reason.not_changeable": "{detail}",
}
# Other sentences stored for a code: earlier wordings, and (for a refused change) the refusals
# the booking answers with, each its own sentence.
OLDER_FORMS: tuple[tuple[str, str], ...] = (
    ("reason.no_answer", "The {service} service did not answer."),
    ("reason.no_answer", "The {service} service did not answer"),
    ("reason.not_changeable", "Only a booking can be changed."),
    ("reason.not_changeable", "The booking belongs to another agency."),
    ("reason.not_changeable", "A change keeps the booking's hotel and client."),
    ("reason.not_changeable", "Only a confirmed booking can be changed; this one is {state}."),
    ("reason.not_changeable", "Another change of this booking is under way."),
)
# The longest reason stored: a longer sentence was cut there.
MAX_REASON_LENGTH = 500
_PARAM = re.compile(r"\{(\w+)\}")


def reason_text(code: str, **params: str) -> str:
    """The English sentence stored for `code` with its values."""
    return REASONS[code].format(**params)[:MAX_REASON_LENGTH]


def parse_reason(text: str | None) -> tuple[str, dict[str, str]] | None:
    """The code and values of a stored reason, or None when it is no known sentence."""
    if not text:
        return None
    for code, pattern in _patterns():
        found = pattern.fullmatch(text)
        if found is not None:
            params = found.groupdict()
            if code == "reason.not_changeable":
                params = {"detail": text}  # the refusal is the sentence itself
            return code, params
    return None


@cache
def _patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """A pattern for each template: fixed text as it is, each value any text. `{detail}` alone
    (any sentence at all) only stands for its older forms, never for every text."""
    forms = [(code, template) for code, template in REASONS.items() if template != "{detail}"]
    return tuple((code, _pattern(template)) for code, template in [*forms, *OLDER_FORMS])


def _pattern(template: str) -> re.Pattern[str]:
    parts, last = [], 0
    for param in _PARAM.finditer(template):
        parts.append(re.escape(template[last : param.start()]))
        parts.append(f"(?P<{param.group(1)}>.+?)")
        last = param.end()
    tail = re.escape(template[last:])
    if last and template.endswith("}."):
        tail = r"\.?"  # a sentence cut at MAX_REASON_LENGTH lost its full stop
    return re.compile("".join(parts) + tail, re.DOTALL)
