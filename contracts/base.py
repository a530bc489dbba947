"""Base classes for every message that crosses the broker."""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict


class Message(BaseModel):
    """A message body. Its envelope (ids, type, time) travels as AMQP properties."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    message_type: ClassVar[str]


class Command(Message):
    """An instruction to one service, named in the imperative (`HoldRoom`)."""


class Reply(Message):
    """A participant's answer to a command, named in the past tense (`RoomHeld`)."""


class Event(Message):
    """Something that happened, for whoever subscribes."""
