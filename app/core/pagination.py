"""Opaque cursors for keyset pagination (a page ends at an id, the next starts after it), and
the path parameter of a row id."""

import base64
import binascii
from typing import Annotated

from fastapi import Path

from app.core.errors import Unprocessable
from app.core.i18n import _


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"k1:{last_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int | None:
    if cursor is None:
        return None
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        prefix, _sep, value = text.partition(":")
        if prefix != "k1" or not value.isdigit():
            raise ValueError(text)
        return int(value)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise Unprocessable.field(
            "cursor", _("Not a cursor this API gave out."), "invalid_cursor"
        ) from None


RowId = Annotated[int, Path(ge=1, le=2_147_483_647, description="A row id")]
