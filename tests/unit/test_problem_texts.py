"""Every code a server can answer with has its text in English and French in the apps.

The codes are read from the servers' sources: the literal code of each refusal (`Refusal`,
`PydanticCustomError`, and the helpers that build them), the values of each `*_CODES` table,
the `code` of each literal dict, every text of the `history.`, `terms.` and `voucher.`
families, and every failure reason of contracts/reasons.py. The texts are the keys of
web/static/shared/problems.js.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

from contracts.reasons import REASONS

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
SERVER_SOURCES = ("contracts", "infra", "web", "rooms", "clients", "reservations", "orchestrator")
PROBLEMS_JS = ROOT / "web" / "static" / "shared" / "problems.js"
# Calls whose first literal text argument is a code.
CODE_TAKERS = frozenset(
    {
        "Refusal",
        "PydanticCustomError",
        "InvalidValue",
        "Weakness",
        "forbidden",
        "_unauthorized",
        "_unprocessable",
        "_conflict",
        "unprocessable",
        "conflict",
        "not_found",
    }
)
# Keys of a literal dict whose literal text value is a code (history entries, terms).
CODE_KEYS = frozenset({"code", "terms_code", "reason_code"})
CODE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")
# Families of codes written as plain texts wherever they are built (a booking's history lines,
# its cancellation terms, the voucher's refusals): every such text is a code.
FAMILY = re.compile(r"^(history|terms|voucher)\.[a-z][a-z0-9_]*$")
# Validation types pydantic gives for what the apps' forms send.
PYDANTIC_TYPES = (
    "missing",
    "string_too_short",
    "string_too_long",
    "string_pattern_mismatch",
    "string_type",
    "greater_than",
    "greater_than_equal",
    "less_than",
    "less_than_equal",
    "int_parsing",
    "int_type",
    "decimal_parsing",
    "decimal_max_digits",
    "decimal_max_places",
    "date_parsing",
    "date_from_datetime_parsing",
    "datetime_parsing",
    "uuid_parsing",
    "enum",
    "literal_error",
    "list_too_long",
    "value_error",
    "json_invalid",
    "extra_forbidden",
)


def _name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _text(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _codes_in(tree: ast.AST) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(tree):
        if (text := _text(node) if isinstance(node, ast.expr) else None) and FAMILY.match(text):
            found.add(text)
        if isinstance(node, ast.Call) and _name(node.func) in CODE_TAKERS:
            texts = [text for arg in node.args if (text := _text(arg)) is not None]
            texts += [_text(k.value) or "" for k in node.keywords if k.arg == "code"]
            found.update(texts[:1])
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if key is not None and _text(key) in CODE_KEYS and _text(value):
                    found.add(str(_text(value)))
        elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Dict):
            targets = [t.id for t in node.targets if isinstance(t, ast.Name)]
            if any(target.endswith("_CODES") for target in targets):
                found.update(text for v in node.value.values if (text := _text(v)) is not None)
    return {code for code in found if code and CODE.match(code)}


@cache
def server_codes() -> frozenset[str]:
    codes: set[str] = set(REASONS)
    for folder in SERVER_SOURCES:
        for path in (ROOT / folder).rglob("*.py"):
            codes |= _codes_in(ast.parse(path.read_text(encoding="utf-8")))
    return frozenset(codes)


@cache
def texts(lang: str) -> frozenset[str]:
    """The keys of `PROBLEM_TEXTS[lang]` in problems.js: `"code": "text"` lines of its block."""
    source = PROBLEMS_JS.read_text(encoding="utf-8")
    block = re.search(rf"^  {lang}: \{{\n(.*?)^  \}},$", source, re.MULTILINE | re.DOTALL)
    assert block is not None, f"no {lang} block in problems.js"
    return frozenset(re.findall(r'^\s+"([a-z0-9_.]+)":', block.group(1), re.MULTILINE))


def test_the_scan_finds_the_codes_it_should() -> None:
    codes = server_codes()
    for expected in (
        "booking.not_found",
        "search.unknown_destination",
        "stay_check_in_past",
        "client.known",
        "service.unreachable",
        "phone_invalid",
        "reason.no_answer",
        "password.too_short",
        "account.own_agents_only",
    ):
        assert expected in codes


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_server_code_has_a_text(lang: str) -> None:
    missing = sorted(server_codes() - texts(lang))
    assert not missing, f"problems.js has no {lang} text for {missing}"


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_validation_types_the_forms_can_meet_have_a_text(lang: str) -> None:
    missing = sorted(set(PYDANTIC_TYPES) - texts(lang))
    assert not missing, f"problems.js has no {lang} text for {missing}"


def test_english_and_french_say_the_same_cases() -> None:
    assert texts("en") == texts("fr")
