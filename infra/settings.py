"""Settings every service shares; each service extends them in its own settings module."""

from __future__ import annotations

import sys
from typing import TypeVar
from urllib.parse import unquote, urlsplit

from pydantic import Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from infra.messaging.signing import MIN_KEY_BYTES, MessageSigner

SERVICE_KEY_HELP = (
    "the platform's shared service key, the same random string of at least "
    f"{MIN_KEY_BYTES} characters for every service (`make up` makes one per run; e.g. "
    "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`). Every command and reply "
    "is signed with it, and a service refuses whatever it does not verify."
)


class CommonSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore")

    amqp_url: str = Field(default="amqp://guest:guest@127.0.0.1:5672/")
    booking_namespace: str = Field(default="", max_length=40, pattern=r"^[a-z0-9_-]*$")
    log_level: str = "INFO"
    log_json: bool | None = None
    http_host: str = "127.0.0.1"
    prefetch_count: int = Field(default=32, ge=1, le=1000)
    # Required, never a default: a key written in the repository would prove nothing.
    service_key: SecretStr = Field(min_length=MIN_KEY_BYTES)
    # Each service connects as its own RabbitMQ user (AMQP_URL), sets the `user-id` property of
    # what it publishes, and takes a message only from the user its consumer expects
    # (`infra.messaging.identities`). Off under one shared login (the signatures then hold).
    broker_identities: bool = False
    # Tracing (infra/tracing.py): on when set, to this collector's OTLP/HTTP base URL (e.g.
    # http://jaeger:4318); off, and free, when not.
    otel_exporter_otlp_endpoint: str | None = None

    @model_validator(mode="after")
    def _identities_need_a_user(self) -> CommonSettings:
        if self.broker_identities and not self.amqp_user():
            raise ValueError("BROKER_IDENTITIES needs an AMQP_URL that names the service's user")
        return self

    def amqp_user(self) -> str | None:
        """The broker user AMQP_URL connects as."""
        user = urlsplit(self.amqp_url).username
        return unquote(user) if user else None

    def message_signer(self) -> MessageSigner:
        broker_user = self.amqp_user() if self.broker_identities else None
        return MessageSigner(self.service_key.get_secret_value(), broker_user)


SettingsT = TypeVar("SettingsT", bound=CommonSettings)


def load_settings(settings_class: type[SettingsT]) -> SettingsT:
    """A service's settings from the environment; a process that cannot have them exits with
    a message saying which variable is wrong (and how to make a service key)."""
    try:
        return settings_class()
    except ValidationError as exc:
        sys.exit(f"{settings_class.__name__}: cannot start:\n{describe(exc)}")


def describe(exc: ValidationError) -> str:
    lines = []
    for error in exc.errors(include_url=False, include_input=False):
        name = ".".join(str(part) for part in error["loc"]).upper()
        if name == "SERVICE_KEY":
            problem = "is not set" if error["type"] == "missing" else "is too short"
            lines.append(f"SERVICE_KEY {problem}: {SERVICE_KEY_HELP}")
        else:
            lines.append(f"{name or 'settings'}: {error['msg']}")
    return "\n".join(lines)
