"""Global IDs: Saleor's (``User``, ``Product``, ``Order``) and the CRM's own (``CRMCustomer``)."""

import binascii
import re

from graphql_relay import from_global_id, to_global_id

from .errors import APIError, CRMErrorCode

BASE64 = re.compile(r"[A-Za-z0-9+/]+={0,2}")


def global_id(type_name: str, pk) -> str:
    return to_global_id(type_name, str(pk))


def decode_id(value: str | None, type_name: str, field: str, *, integer: bool = True):
    """The primary key inside a global ID of ``type_name``; ``INVALID_ID`` otherwise."""
    if value in (None, ""):
        raise APIError(CRMErrorCode.REQUIRED.value, f"{field} is required.", field)
    kind = pk = None
    # from_global_id skips characters that are not base64, so "['VXNlcjox']" would read as User:1
    if isinstance(value, str) and BASE64.fullmatch(value):
        try:
            kind, pk = from_global_id(value)
        except (binascii.Error, UnicodeDecodeError, ValueError, TypeError):
            kind, pk = None, None
    if kind != type_name or not pk:
        raise APIError(CRMErrorCode.INVALID_ID.value, f"{value!r} is not a {type_name} ID.", field)
    if not integer:
        return pk
    if not (pk.isascii() and pk.isdigit() and 0 < int(pk) < 2**63):  # a primary key PostgreSQL can hold
        raise APIError(CRMErrorCode.INVALID_ID.value, f"{value!r} is not a {type_name} ID.", field)
    return int(pk)
