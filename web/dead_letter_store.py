"""The dead letters operators page through, kept in the accounts store (SQL).

A dead letter is taken off its dead-letter queue once (`web.dead_letters`), kept here with its
body, properties and headers exactly as they came, and only then acked: a crash in between
leaves it in the queue, and the copy seen again is recognised by its fingerprint. From then on
reading it touches nothing on the broker, so looking never bumps a delivery count; requeue
publishes the kept copy and discard marks it, and both leave the row as a record of who did what.

AMQP header values are typed (decimals, timestamps, byte arrays, nested tables): they are kept
as JSON with a tag for each type JSON lacks, so a requeued copy carries the very same headers
(its signature covers some of them).
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

metadata = sa.MetaData()
ROW_ID = sa.BigInteger().with_variant(sa.Integer, "sqlite")

# The schema is the migration's (web/accounts/migrations/versions/0003_dead_letters.py).
dead_letters = sa.Table(
    "dead_letters",
    metadata,
    sa.Column("id", ROW_ID, primary_key=True, autoincrement=True),
    sa.Column("queue", sa.String(255), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.Column("message_id", sa.String(255)),
    sa.Column("message_type", sa.String(255)),
    sa.Column("saga_id", sa.String(255)),
    sa.Column("reason", sa.String(1000)),
    sa.Column("deliveries", sa.Integer, nullable=False),
    sa.Column("properties", sa.JSON, nullable=False),
    sa.Column("headers", sa.JSON, nullable=False),
    sa.Column("body_size", sa.BigInteger, nullable=False),
    sa.Column("body_preview", sa.Text, nullable=False),
    sa.Column("kept_at", sa.DateTime, nullable=False),
    sa.Column("handled_at", sa.DateTime),
    sa.Column("handled_by", sa.String(64)),
)
dead_letter_bodies = sa.Table(
    "dead_letter_bodies",
    metadata,
    sa.Column("dead_letter_id", ROW_ID, primary_key=True),
    sa.Column("part", sa.Integer, primary_key=True),
    sa.Column("data", sa.LargeBinary, nullable=False),
)

WAITING, REQUEUED, DISCARDED = "waiting", "requeued", "discarded"
BODY_PART_BYTES = 1024 * 1024
BODY_PREVIEW_BYTES = 2000
SUMMARY = [c for c in dead_letters.c if c.name not in ("properties", "headers", "fingerprint")]


@dataclass(frozen=True)
class Letter:
    """A dead letter as it came off its queue: what requeue needs to publish it again."""

    body: bytes
    headers: dict[str, Any]
    properties: dict[str, Any]  # message_id, type, correlation_id, timestamp (datetime), ...
    reason: str | None
    deliveries: int

    def fingerprint(self, queue: str) -> str:
        digest = hashlib.sha256()
        for part in (queue, json.dumps(encode_value(self.properties), sort_keys=True)):
            digest.update(part.encode() + b"\x00")
        digest.update(self.body)
        return digest.hexdigest()


@dataclass(frozen=True)
class Kept:
    """A kept dead letter, for requeue: its row id and the letter."""

    letter_id: int
    queue: str
    letter: Letter
    summary: dict[str, Any]


class DeadLetterStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def keep(self, queue: str, letter: Letter, redelivered: bool) -> int:
        """Store a dead letter taken off `queue`; its row id. A redelivered copy of one kept
        but not acked (a crash in between) is recognised and not stored twice."""
        fingerprint = letter.fingerprint(queue)
        async with self._engine.begin() as connection:
            if redelivered:
                same = sa.select(dead_letters.c.id).where(
                    dead_letters.c.queue == queue,
                    dead_letters.c.fingerprint == fingerprint,
                    dead_letters.c.status == WAITING,
                )
                existing = (await connection.execute(same.limit(1))).scalar()
                if existing is not None:
                    return int(existing)
            row = _row(queue, letter, fingerprint)
            result = await connection.execute(dead_letters.insert().values(**row))
            letter_id = int(result.inserted_primary_key[0])  # type: ignore[index]
            parts = [
                {"dead_letter_id": letter_id, "part": n, "data": letter.body[start:end]}
                for n, (start, end) in enumerate(_parts(len(letter.body)))
            ]
            for part in parts:  # one at a time: each under the server's packet limit
                await connection.execute(dead_letter_bodies.insert().values(**part))
        return letter_id

    async def counts(self) -> dict[str, int]:
        """The dead letters waiting for an operator, by queue."""
        query = (
            sa.select(dead_letters.c.queue, sa.func.count())
            .where(dead_letters.c.status == WAITING)
            .group_by(dead_letters.c.queue)
        )
        async with self._engine.connect() as connection:
            return {queue: int(count) for queue, count in await connection.execute(query)}

    async def page(self, queue: str, limit: int, offset: int) -> tuple[list[dict[str, Any]], int]:
        """The waiting dead letters of `queue`, oldest first, and how many there are."""
        where = (dead_letters.c.queue == queue, dead_letters.c.status == WAITING)
        query = (
            sa.select(*SUMMARY)
            .where(*where)
            .order_by(dead_letters.c.id)
            .limit(limit)
            .offset(offset)
        )
        total = sa.select(sa.func.count()).select_from(dead_letters).where(*where)
        async with self._engine.connect() as connection:
            rows = (await connection.execute(query)).mappings().all()
            count = int((await connection.execute(total)).scalar() or 0)
        return [summary(row) for row in rows], count

    async def waiting(
        self, queue: str, letter_id: int | None = None, message_id: str | None = None
    ) -> Kept | None:
        """The waiting dead letter of `queue` with this row id or message id (the oldest
        such), or the oldest of all; with its body."""
        query = sa.select(dead_letters).where(
            dead_letters.c.queue == queue, dead_letters.c.status == WAITING
        )
        if letter_id is not None:
            query = query.where(dead_letters.c.id == letter_id)
        if message_id is not None:
            query = query.where(dead_letters.c.message_id == message_id)
        async with self._engine.connect() as connection:
            row = (await connection.execute(query.order_by(dead_letters.c.id).limit(1))).mappings()
            found = row.first()
            if found is None:
                return None
            body_query = (
                sa.select(dead_letter_bodies.c.data)
                .where(dead_letter_bodies.c.dead_letter_id == found["id"])
                .order_by(dead_letter_bodies.c.part)
            )
            body = b"".join(bytes(part) for part in (await connection.scalars(body_query)))
        letter = Letter(
            body=body,
            headers=decode_value(found["headers"]),
            properties=decode_value(found["properties"]),
            reason=found["reason"],
            deliveries=int(found["deliveries"]),
        )
        return Kept(int(found["id"]), queue, letter, summary(found))

    async def handle(self, letter_id: int, outcome: str, operator: str) -> bool:
        """Mark a waiting dead letter requeued or discarded; False if it was no longer waiting."""
        update = (
            dead_letters.update()
            .where(dead_letters.c.id == letter_id, dead_letters.c.status == WAITING)
            .values(status=outcome, handled_at=_now(), handled_by=operator[:64])
        )
        async with self._engine.begin() as connection:
            return bool((await connection.execute(update)).rowcount)


def summary(row: Mapping[Any, Any]) -> dict[str, Any]:
    """What the operators' panel shows of a kept dead letter."""
    return {
        "id": int(row["id"]),
        "message_id": row["message_id"],
        "message_type": row["message_type"],
        "saga_id": row["saga_id"],
        "reason": row["reason"],
        "deliveries": int(row["deliveries"]),
        "body_size": int(row["body_size"]),
        "body_preview": row["body_preview"],
        "dead_lettered_at": _aware_iso(row["kept_at"]),
    }


def _row(queue: str, letter: Letter, fingerprint: str) -> dict[str, Any]:
    properties = letter.properties
    return {
        "queue": queue,
        "status": WAITING,
        "fingerprint": fingerprint,
        "message_id": _short(properties.get("message_id")),
        "message_type": _short(properties.get("type")),
        "saga_id": _short(properties.get("correlation_id")),
        "reason": (letter.reason or None) and str(letter.reason)[:1000],
        "deliveries": letter.deliveries,
        "properties": encode_value(properties),
        "headers": encode_value(letter.headers),
        "body_size": len(letter.body),
        "body_preview": preview(letter.body),
        "kept_at": _now(),
    }


def _parts(size: int) -> list[tuple[int, int]]:
    if size == 0:
        return [(0, 0)]
    starts = range(0, size, BODY_PART_BYTES)
    return [(start, min(start + BODY_PART_BYTES, size)) for start in starts]


def preview(body: bytes) -> str:
    try:
        return body[:BODY_PREVIEW_BYTES].decode()
    except UnicodeDecodeError:
        return "base64:" + base64.b64encode(body[:BODY_PREVIEW_BYTES]).decode()


def _short(value: Any) -> str | None:
    return None if value is None else str(value)[:255]


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _aware_iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.replace(tzinfo=UTC).isoformat()


# ---- AMQP field values as JSON, and back ------------------------------------------------------


def encode_value(value: Any) -> Any:
    """An AMQP field value (or a dict of them) as JSON: a one-key `{"$type": ...}` object for
    each type JSON lacks; every table becomes `{"$table": {...}}` so no header is mistaken
    for a tag."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else {"$float": repr(value)}
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return {"$datetime": moment.isoformat()}
    if isinstance(value, bytes | bytearray | memoryview):
        return {"$bytes": base64.b64encode(bytes(value)).decode()}
    if isinstance(value, Mapping):
        return {"$table": {str(k): encode_value(v) for k, v in value.items()}}
    if isinstance(value, list | tuple):
        return [encode_value(item) for item in value]
    return {"$text": str(value)}  # no other type comes off the wire


def decode_value(value: Any) -> Any:
    if isinstance(value, list):
        return [decode_value(item) for item in value]
    if not isinstance(value, dict):
        return value
    [(tag, inner)] = value.items()
    if tag == "$table":
        return {k: decode_value(v) for k, v in inner.items()}
    if tag == "$float":
        return float(inner)
    if tag == "$decimal":
        return Decimal(inner)
    if tag == "$datetime":
        return datetime.fromisoformat(inner)
    if tag == "$bytes":
        return bytearray(base64.b64decode(inner))
    return str(inner)
