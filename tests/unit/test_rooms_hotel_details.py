"""What a voucher says of each demo hotel: a phone number with its country's calling code, and
check-in and check-out times, all as an operator would be allowed to enter them."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from rooms.adapters.seed import demo_rows
from rooms.adapters.seed_data import HOTELS
from rooms.adapters.tables import hotels
from rooms.entrypoints.schemas import HotelIn, HotelPatch

pytestmark = pytest.mark.unit
# The calling codes of the group's countries (ITU-T E.164).
CALLING_CODES = {
    "TG": "228", "SN": "221", "NG": "234", "KE": "254", "ZA": "27", "MA": "212", "EG": "20",
    "FR": "33", "GB": "44", "DE": "49", "PT": "351", "CH": "41", "TR": "90", "JP": "81",
    "SG": "65", "IN": "91", "AE": "971", "TH": "66", "US": "1", "CA": "1", "MX": "52",
    "BR": "55", "AR": "54", "PE": "51", "CO": "57", "AU": "61", "NZ": "64", "FJ": "679",
}  # fmt: skip


def test_every_demo_hotel_has_a_phone_times_and_terms_an_operator_could_enter() -> None:
    for row in demo_rows()[hotels]:
        hotel = HotelIn.model_validate(row)  # the operators' own rules
        assert hotel.phone.startswith(f"+{CALLING_CODES[hotel.country]} "), hotel.id
        assert hotel.check_out_time < hotel.check_in_time, hotel.id
        assert hotel.free_cancellation_hours in (24, 48, 72), hotel.id
    assert len({hotel.phone for hotel in HOTELS}) == len(HOTELS)


def test_a_hotel_without_voucher_details_gets_the_usual_ones() -> None:
    hotel = HotelIn.model_validate(
        {
            "name": "Hôtel Neuf",
            "address": "1 Rue Neuve",
            "city": "Lyon",
            "country": "FR",
            "continent": "Europe",
            "time_zone": "Europe/Paris",
            "currency": "EUR",
            "stars": 3,
        }
    )
    assert (hotel.phone, hotel.check_in_time, hotel.check_out_time) == ("", "15:00", "11:00")
    assert hotel.free_cancellation_hours == 48


@pytest.mark.parametrize(
    "change",
    [
        {"phone": "call us"},
        {"phone": "0142601818"},  # no calling code
        {"check_in_time": "3 pm"},
        {"check_out_time": "24:00"},
        {"free_cancellation_hours": -1},
    ],
)
def test_odd_voucher_details_are_refused(change: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        HotelPatch.model_validate(change)
