"""Error codes of the GraphQL API, and the exception that carries one."""

import graphene

from ..error_codes import RecommendationErrorCode
from ..errors import CRMError as CRMErrorBase


class CRMErrorCode(graphene.Enum):
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
    # segment rules
    INVALID_STRUCTURE = "invalid_structure"
    UNKNOWN_FIELD = "unknown_field"
    INVALID_OPERATOR = "invalid_operator"
    INVALID_VALUE = "invalid_value"
    TOO_COMPLEX = "too_complex"
    DUPLICATE = "duplicate"
    PREDEFINED = "predefined"


class CRMError(graphene.ObjectType):
    """A mutation error, in Saleor's style."""

    field = graphene.String(description="The input field the error is about; null for the whole request.")
    message = graphene.String(required=True)
    code = CRMErrorCode(required=True)


class APIError(CRMErrorBase):
    """Raised by resolvers; the view reports ``code`` and ``field`` in the error's ``extensions``."""


RECOMMENDATION_CODES = {
    RecommendationErrorCode.INVALID: CRMErrorCode.INVALID.value,
    RecommendationErrorCode.REQUIRED: CRMErrorCode.REQUIRED.value,
    RecommendationErrorCode.OUT_OF_RANGE: CRMErrorCode.OUT_OF_RANGE.value,
    RecommendationErrorCode.NOT_FOUND: CRMErrorCode.NOT_FOUND.value,
}
