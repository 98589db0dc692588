"""Users and keys on the wire."""

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictInt

from app.auth.roles import Permission, Role
from app.core.inputs import RequestModel, Rupiah


class ApiKeyOut(BaseModel):
    prefix: str = Field(
        description="The key's first characters, to tell your keys apart.",
        examples=["kredo_3q8T0c"],
    )
    created_at: datetime
    last_used_at: datetime | None = Field(
        description="When the key last authenticated a request (to the minute); null: never. "
        "A use you do not recognise means the key is known to someone else: have it revoked."
    )
    current: bool = Field(description="The key this request was made with.")


class MeOut(BaseModel):
    username: str = Field(examples=["cs.jkt01"])
    full_name: str
    role: Role
    branch_code: str = Field(examples=["JKT01"])
    dealer_code: str | None
    approval_limit: int | None
    permissions: list[Permission]
    api_keys: list[ApiKeyOut] = Field(description="Your keys that still work, oldest first.")


class UserIn(RequestModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"username": "ca.jkt01.rina", "full_name": "Rina Marlina",
                 "role": "credit_analyst", "branch_code": "JKT01"}
            ]
        },
    )  # fmt: skip

    username: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._-]{2,59}$", max_length=60)]
    full_name: Annotated[str, Field(min_length=1, max_length=120)]
    role: Role
    branch_code: Annotated[str, Field(min_length=1, max_length=10)]
    dealer_code: Annotated[str, Field(min_length=1, max_length=20)] | None = None
    approval_limit: Rupiah | None = None
    authority_level: Annotated[StrictInt, Field(ge=1, le=9)] | None = None
    area_codes: list[Annotated[str, Field(max_length=10)]] = Field(
        default=[], max_length=50, description="Surveyors and salesmen: areas covered"
    )


class AreasIn(RequestModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"area_codes": ["JKT-PST", "JKT-UTR"]}]}
    )

    area_codes: list[Annotated[str, Field(max_length=10)]] = Field(max_length=50)


class UserOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "username": "ca.rina",
                    "full_name": "Rina Marlina",
                    "role": "credit_analyst",
                    "branch_code": "JKT01",
                    "dealer_code": None,
                    "approval_limit": None,
                    "authority_level": None,
                    "area_codes": [],
                    "active": True,
                    "created_at": "2026-11-22T08:00:00Z",
                }
            ]
        }
    )

    username: str
    full_name: str
    role: Role
    branch_code: str
    dealer_code: str | None
    approval_limit: int | None
    authority_level: int | None
    area_codes: list[str]
    active: bool
    created_at: datetime


class UserList(BaseModel):
    items: list[UserOut]


class KeyOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "username": "ca.rina",
                    "api_key": "kredo_3q8T0c1nL9yQ0mB7p2Xw4rZs6uVe5aHd1gKj8fNi0oP",
                }
            ]
        }
    )

    username: str
    api_key: str = Field(description="Shown this once; only its hash is stored.")


class RevocationOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"username": "ca.rina", "revoked_keys": 1}]}
    )

    username: str
    revoked_keys: int
