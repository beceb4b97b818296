"""Error codes of the GraphQL API, and the exception that carries one.

``CRMErrorCode`` is derived from the domain's code enums (every ``*ErrorCode``
in ``error_codes`` and ``SegmentErrorCode``) plus the codes only the API
gives, so a code a service raises can never be missing from the schema. The
view translates any ``saleor_crm_plugin.errors.CRMError`` in one place.
"""

from enum import Enum

import graphene

from .. import error_codes
from ..errors import CRMError as CRMErrorBase
from ..segments.rules import SegmentErrorCode


class APIErrorCode(str, Enum):
    """Codes only the API gives (the request, the token, the caller)."""

    INVALID = "invalid"
    INVALID_ID = "invalid_id"
    REQUIRED = "required"
    OUT_OF_RANGE = "out_of_range"
    NOT_FOUND = "not_found"
    UNAUTHENTICATED = "unauthenticated"
    PERMISSION_DENIED = "permission_denied"
    INVALID_TOKEN = "invalid_token"
    TOKEN_EXPIRED = "token_expired"
    QUERY_TOO_COMPLEX = "query_too_complex"
    INVALID_VALUE = "invalid_value"
    INTERNAL_ERROR = "internal_error"


def domain_code_enums() -> list[type[Enum]]:
    """Every code enum of the services, in a stable order."""
    found = [value for name, value in sorted(vars(error_codes).items())
             if isinstance(value, type) and issubclass(value, Enum) and name.endswith("ErrorCode")]
    return found + [SegmentErrorCode]


def _all_codes() -> dict[str, str]:
    codes: dict[str, str] = {}
    for enum in [APIErrorCode, *domain_code_enums()]:
        for member in enum:
            codes.setdefault(member.value.upper(), member.value)
    return codes


CRMErrorCode = graphene.Enum.from_enum(
    Enum("CRMErrorCode", _all_codes(), type=str),
    description="Why a request or an input was refused (every code the CRM's services and API give).",
)


class CRMError(graphene.ObjectType):
    """A mutation error, in Saleor's style."""

    field = graphene.String(description="The input field the error is about; null for the whole request.")
    message = graphene.String(required=True)
    code = CRMErrorCode(required=True)


class APIError(CRMErrorBase):
    """Raised by resolvers; the view reports ``code`` and ``field`` in the error's ``extensions``."""
