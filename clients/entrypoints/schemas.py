"""The HTTP API's request and response bodies."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Self

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from clients.domain import rules
from clients.domain.model import Client, ClientDetails, ClientStatus, DocumentType
from clients.domain.privacy import Access, masked


def coded(rule: Callable[[str], str]) -> AfterValidator:
    """A rule as a validator whose refusal has the rule's code as its `type` and the values its
    sentence names as its `ctx`, for the apps to say it in their language."""

    def validate(raw: str) -> str:
        try:
            return rule(raw)
        except rules.InvalidValue as refused:
            raise PydanticCustomError(refused.code, refused.message, refused.params) from None

    return AfterValidator(validate)


# Generous caps checked before normalization, so a huge value is refused cheaply.
Name = Annotated[str, Field(max_length=300), coded(rules.normalize_name)]
Email = Annotated[str, Field(max_length=400), coded(rules.normalize_email)]
Phone = Annotated[str, Field(max_length=40), coded(rules.normalize_phone)]
Country = Annotated[str, Field(max_length=10), coded(rules.normalize_country)]
DocumentNumber = Annotated[str, Field(max_length=100), coded(rules.normalize_document_number)]


def _reason(raw: str) -> str:
    reason = " ".join(raw.split())
    if not reason:
        raise PydanticCustomError("blank", "must not be blank")
    return reason


class NewClientIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    first_name: Name
    last_name: Name
    email: Email
    phone: Phone
    nationality: Country
    document_type: DocumentType | None = None
    document_number: DocumentNumber | None = None

    @model_validator(mode="after")
    def _document_whole(self) -> Self:
        if (self.document_type is None) != (self.document_number is None):
            raise PydanticCustomError(
                "document_incomplete", "document_type and document_number must be given together"
            )
        return self

    def details(self) -> ClientDetails:
        return ClientDetails(**self.model_dump())


class BlockIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, Field(min_length=1, max_length=500), AfterValidator(_reason)]


class ClientOut(BaseModel):
    """A client as the person asking may see them: `access` says whether the contact data and
    document number are the stored ones (`full`) or masked (`masked`, e.g. `z•••@e•••.org`)."""

    id: str
    access: Access
    first_name: str
    last_name: str
    email: str
    phone: str
    nationality: str
    document_type: DocumentType | None
    document_number: str | None
    status: ClientStatus
    blocked_reason: str | None
    created_at: AwareDatetime
    updated_at: AwareDatetime

    @classmethod
    def of(cls, client: Client, access: Access, block_reason_shown: bool = False) -> ClientOut:
        """`block_reason_shown`: an operator's note on a block is for operators (and for a
        full read); others see only that the client is blocked."""
        blocked_reason = client.blocked_reason
        if access is Access.MASKED:
            client = masked(client)
            if not block_reason_shown:
                blocked_reason = None
        details = client.details
        return cls(
            id=client.id,
            access=access,
            first_name=details.first_name,
            last_name=details.last_name,
            email=details.email,
            phone=details.phone,
            nationality=details.nationality,
            document_type=details.document_type,
            document_number=details.document_number,
            status=client.status,
            blocked_reason=blocked_reason,
            created_at=client.created_at,
            updated_at=client.updated_at,
        )


class ClientPage(BaseModel):
    items: list[ClientOut]
    total: int
    limit: int
    offset: int


class KnownClient(BaseModel):
    """The answer to registering an address the agency already knows: that client's id."""

    detail: str
    code: str = "client.known"
    params: dict[str, str] = Field(default_factory=dict)
    client_id: str


class PersonalDataReadOut(BaseModel):
    id: int
    read_at: AwareDatetime
    client_id: str
    reader: str
    reader_role: str
    reader_agency: str
    reason: str


class PersonalDataReadPage(BaseModel):
    items: list[PersonalDataReadOut]
    total: int
    limit: int
    offset: int
