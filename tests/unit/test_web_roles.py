"""What each role may see and do: the pure rules in web/accounts/roles.py and the password
judge, without a server."""

from __future__ import annotations

import pytest

from web.accounts.passwords import MIN_LENGTH, weakness
from web.accounts.roles import (
    Account,
    Role,
    User,
    booking_scope,
    may_hold_personal_data,
    may_run_hotel,
    may_see_account,
    may_see_booking,
    refusal_to_create,
    refusal_to_manage,
)

AGENT = User("ama", Role.AGENT, "agency-lome")
COLLEAGUE = User("kofi", Role.AGENT, "agency-lome")
MANAGER = User("lome.manager", Role.AGENCY_MANAGER, "agency-lome")
DAKAR = User("awa", Role.AGENT, "agency-dakar")
DAKAR_MANAGER = User("dakar.manager", Role.AGENCY_MANAGER, "agency-dakar")
HOTELS = User("hotels.paris", Role.HOTEL_MANAGER, hotel_ids=frozenset({"paris-lumiere"}))
OPERATOR = User("operator", Role.OPERATOR)
EVERYONE = (AGENT, COLLEAGUE, MANAGER, DAKAR, DAKAR_MANAGER, HOTELS, OPERATOR)

AMAS_PARIS_BOOKING = {"agency_id": "agency-lome", "agent_id": "ama", "hotel_id": "paris-lumiere"}


def account(user: User, active: bool = True) -> Account:
    return Account(user.username, "", user.role, user.agency_id, user.hotel_ids, active)


def test_a_booking_is_seen_by_its_agent_their_manager_its_hotel_and_head_office_only() -> None:
    seeing = {user.username for user in EVERYONE if may_see_booking(user, AMAS_PARIS_BOOKING)}

    assert seeing == {"ama", "lome.manager", "hotels.paris", "operator"}


def test_a_hotel_manager_does_not_see_another_hotels_booking() -> None:
    elsewhere = AMAS_PARIS_BOOKING | {"hotel_id": "paris-montmartre"}

    assert not may_see_booking(HOTELS, elsewhere)
    assert may_see_booking(MANAGER, elsewhere)


def test_the_list_filters_say_the_same_as_the_single_read() -> None:
    assert booking_scope(AGENT) == {"agency_id": "agency-lome", "agent_id": "ama"}
    assert booking_scope(MANAGER) == {"agency_id": "agency-lome"}
    assert booking_scope(HOTELS) == {"hotel_id": ["paris-lumiere"]}
    assert booking_scope(OPERATOR) == {}
    no_hotels = User("idle", Role.HOTEL_MANAGER)
    assert booking_scope(no_hotels) == {"hotel_id": ["-"]}, "no hotels: nothing, not all"


def test_only_agency_roles_book_and_only_hotel_managers_never_hold_a_client_id() -> None:
    assert [u.books for u in (AGENT, MANAGER, HOTELS, OPERATOR)] == [True, True, False, False]
    assert [may_hold_personal_data(u) for u in (AGENT, HOTELS, OPERATOR)] == [True, False, True]


def test_hotels_are_run_by_their_manager_and_head_office() -> None:
    assert may_run_hotel(HOTELS, "paris-lumiere")
    assert not may_run_hotel(HOTELS, "lome-lagune")
    assert may_run_hotel(OPERATOR, "lome-lagune")
    assert not may_run_hotel(MANAGER, "paris-lumiere")


def test_an_agency_manager_creates_agents_of_their_own_agency_only() -> None:
    assert refusal_to_create(MANAGER, Role.AGENT, "agency-lome") is None
    assert refusal_to_create(MANAGER, Role.AGENT, "agency-dakar") is not None
    assert refusal_to_create(MANAGER, Role.AGENCY_MANAGER, "agency-lome") is not None
    assert refusal_to_create(AGENT, Role.AGENT, "agency-lome") is not None
    assert refusal_to_create(HOTELS, Role.AGENT, "agency-lome") is not None
    assert refusal_to_create(OPERATOR, Role.HOTEL_MANAGER, None) is None


def test_a_manager_manages_their_agents_and_nobody_manages_themselves() -> None:
    assert refusal_to_manage(MANAGER, account(AGENT)) is None
    assert refusal_to_manage(MANAGER, account(DAKAR)) is not None
    assert refusal_to_manage(MANAGER, account(MANAGER)) is not None
    assert refusal_to_manage(DAKAR_MANAGER, account(MANAGER)) is not None
    assert refusal_to_manage(OPERATOR, account(DAKAR_MANAGER)) is None
    assert refusal_to_manage(OPERATOR, account(OPERATOR)) is not None
    assert refusal_to_manage(AGENT, account(COLLEAGUE)) is not None


def test_accounts_are_seen_by_their_agency_manager_and_head_office() -> None:
    assert may_see_account(MANAGER, account(COLLEAGUE))
    assert not may_see_account(MANAGER, account(DAKAR))
    assert not may_see_account(AGENT, account(COLLEAGUE))
    assert may_see_account(AGENT, account(AGENT))
    assert may_see_account(OPERATOR, account(HOTELS))


@pytest.mark.parametrize(
    ("password", "refused"),
    [
        ("short", True),
        ("x" * MIN_LENGTH, True),  # one character repeated
        ("ama-is-my-name", True),  # holds the username
        ("baobab-2026-lome", False),
    ],
)
def test_a_password_is_judged_before_it_is_hashed(password: str, refused: bool) -> None:
    assert (weakness(password, "ama") is not None) is refused
