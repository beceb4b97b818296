"""Error codes shared by services and (later) the GraphQL API."""

from enum import Enum


class EventErrorCode(str, Enum):
    """Why an incoming event was rejected; stored on the event row."""

    INVALID = "invalid"
    MISSING_IDENTITY = "missing_identity"
    INVALID_EMAIL = "invalid_email"
    UNKNOWN_CURRENCY = "unknown_currency"
    INVALID_QUANTITY = "invalid_quantity"
    INVALID_AMOUNT = "invalid_amount"
    INVALID_DATE = "invalid_date"
    UNKNOWN_KIND = "unknown_kind"
    FOLD_ERROR = "fold_error"


class ConfigErrorCode(str, Enum):
    """Why a setting's value (plugin configuration or the CRM's Settings page) or a test mail was refused."""

    INVALID = "invalid"
    REQUIRED = "required"
    NOT_A_NUMBER = "not_a_number"
    OUT_OF_RANGE = "out_of_range"
    TOO_LONG = "too_long"
    INVALID_EMAIL = "invalid_email"
    INVALID_URL = "invalid_url"
    INVALID_SMTP_URL = "invalid_smtp_url"
    INVALID_TIME_ZONE = "invalid_time_zone"
    UNKNOWN_PROVIDER = "unknown_provider"
    PINNED = "pinned"  # set in the deployment's Django settings (SALEOR_CRM): not changeable from the Dashboard
    NOT_CONFIGURED = "not_configured"
    SEND_FAILED = "send_failed"


class RecommendationErrorCode(str, Enum):
    """Why a recommendation request or a training was refused."""

    INVALID = "invalid"
    REQUIRED = "required"
    OUT_OF_RANGE = "out_of_range"
    NOT_FOUND = "not_found"
    TRAINING_IN_PROGRESS = "training_in_progress"
    WORKER_UNAVAILABLE = "worker_unavailable"  # the task could not be handed to the broker


class RecomputeErrorCode(str, Enum):
    """Why "recompute now" could not start, or its run cannot be read."""

    WORKER_UNAVAILABLE = "worker_unavailable"  # the task could not be handed to the broker
    NOT_FOUND = "not_found"


class ProfileErrorCode(str, Enum):
    """Why a request about one customer (erasure, export, consent) or a customer search was refused."""

    REQUIRED = "required"
    NOT_FOUND = "not_found"
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"


class CampaignErrorCode(str, Enum):
    """Why a consent, template, campaign or mail request was refused."""

    REQUIRED = "required"
    INVALID = "invalid"
    NOT_FOUND = "not_found"
    INVALID_EMAIL = "invalid_email"
    INVALID_CHANNEL = "invalid_channel"
    INVALID_TOKEN = "invalid_token"
    TOKEN_EXPIRED = "token_expired"
    TEMPLATE_SYNTAX = "template_syntax"
    UNKNOWN_HELPER = "unknown_helper"
    TEMPLATE_TOO_COSTLY = "template_too_costly"
    INVALID_MJML = "invalid_mjml"
    INVALID_STATE = "invalid_state"
    INVALID_SEGMENT = "invalid_segment"
    DUPLICATE_NAME = "duplicate_name"
    TOO_MANY = "too_many"
    OUT_OF_RANGE = "out_of_range"
    NOT_CONFIGURED = "not_configured"
    SEND_FAILED = "send_failed"


class SupportErrorCode(str, Enum):
    """Why feedback, a service request's reply or close, or a survey answer was refused."""

    REQUIRED = "required"
    INVALID = "invalid"
    TOO_LONG = "too_long"
    INVALID_EMAIL = "invalid_email"
    INVALID_CHANNEL = "invalid_channel"
    INVALID_KIND = "invalid_kind"
    INVALID_SCORE = "invalid_score"
    ORDER_NOT_FOUND = "order_not_found"  # never says whether the order exists, only that it does not match
    NOT_FOUND = "not_found"
    INVALID_STATE = "invalid_state"
    INVALID_TOKEN = "invalid_token"
    TOKEN_EXPIRED = "token_expired"
    NOT_CONFIGURED = "not_configured"
    SEND_FAILED = "send_failed"


class LimitErrorCode(str, Enum):
    """Why a storefront request was refused before it did anything."""

    RATE_LIMITED = "rate_limited"  # too many requests from this visitor or about this address
