"""Input and output shapes of the foundation resources: workspace, tokens, staff."""

from datetime import datetime
from typing import Literal

from ninja import Schema
from pydantic import Field

from comptoir.core.identity_choices import CURRENCY_CODES
from comptoir.core.input_types import PRINTABLE, EmailAddress, TimeZone
from comptoir.core.models import Workspace
from comptoir.core.roles import Role


class WorkspaceOut(Schema):
    slug: str
    name: str
    postal_address: str
    contact_email: str
    contact_phone: str
    logo_url: str | None
    brand_color: str
    accent_color: str
    sender_name: str
    sender_email: str
    language: str
    currency: str
    time_zone: str
    created_at: datetime

    @staticmethod
    def resolve_logo_url(workspace) -> str | None:
        return workspace.logo.url if workspace.logo else None


class WorkspaceIn(Schema):
    """Every field optional: a PATCH changes only what it names. Every field is text: ""
    clears it, null is refused."""

    # Typed `str` with a None default: an absent field stays None (unchanged), a null is
    # refused by the type, and the schema says the field is a string.
    name: str = Field(None, min_length=1, max_length=120, pattern=PRINTABLE)
    postal_address: str = Field(None, max_length=1000)
    contact_email: EmailAddress | Literal[""] = None
    contact_phone: str = Field(None, max_length=32)
    brand_color: str = Field(None, pattern=r"^#[0-9a-fA-F]{6}$")
    accent_color: str = Field(None, pattern=r"^#[0-9a-fA-F]{6}$")
    sender_name: str = Field(None, max_length=120)
    sender_email: EmailAddress | Literal[""] = None
    language: Literal[tuple(Workspace.Language.values)] = None
    currency: Literal[CURRENCY_CODES] = Field(
        None, description="An ISO 4217 code among those Comptoir shows money in."
    )
    time_zone: TimeZone = None


class TokenOut(Schema):
    id: int
    name: str
    role: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreated(TokenOut):
    token: str = Field(description="The secret, shown only in this response.")


class TokenIn(Schema):
    name: str = Field(max_length=100, description='Blank: "API token".')
    # A token never carries ownership (TOKEN_ROLES).
    role: Literal["admin", "marketer", "viewer"] = "admin"


class TokenList(Schema):
    items: list[TokenOut]
    next_cursor: str | None


class StaffOut(Schema):
    id: int
    email: str
    name: str
    role: str
    created_at: datetime

    @staticmethod
    def resolve_email(membership) -> str:
        return membership.user.email

    @staticmethod
    def resolve_name(membership) -> str:
        return membership.user.name


class StaffIn(Schema):
    email: EmailAddress
    role: Role


class StaffRoleIn(Schema):
    role: Role


class StaffList(Schema):
    items: list[StaffOut]
    next_cursor: str | None
