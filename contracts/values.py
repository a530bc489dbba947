"""Value types shared by several messages."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

CurrencyCode = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
Money = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)]
EntityId = Annotated[str, Field(min_length=1, max_length=64)]


class Stay(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    check_in: date
    check_out: date

    @model_validator(mode="after")
    def _check_out_after_check_in(self) -> Stay:
        if self.check_out <= self.check_in:
            raise ValueError("check_out must be after check_in")
        return self

    @property
    def nights(self) -> int:
        return (self.check_out - self.check_in).days


class NightlyPrice(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    night: date
    price: Money
