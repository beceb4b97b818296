"""Global IDs: Saleor's (``User``, ``Product``, ``Order``) and the CRM's own (``CRMCustomer``)."""

import binascii

from graphql_relay import from_global_id, to_global_id

from .errors import APIError, CRMErrorCode


def global_id(type_name: str, pk) -> str:
    return to_global_id(type_name, str(pk))


def decode_id(value: str | None, type_name: str, field: str, *, integer: bool = True):
    """The primary key inside a global ID of ``type_name``; ``INVALID_ID`` otherwise."""
    if value in (None, ""):
        raise APIError(CRMErrorCode.REQUIRED.value, f"{field} is required.", field)
    try:
        kind, pk = from_global_id(str(value))
    except (binascii.Error, UnicodeDecodeError, ValueError, TypeError):
        kind, pk = None, None
    if kind != type_name or not pk:
        raise APIError(CRMErrorCode.INVALID_ID.value, f"{value!r} is not a {type_name} ID.", field)
    if not integer:
        return pk
    try:
        return int(pk)
    except ValueError:
        raise APIError(CRMErrorCode.INVALID_ID.value, f"{value!r} is not a {type_name} ID.", field) from None
