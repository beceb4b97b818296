"""Signed tokens for links in mails (unsubscribe, confirmation): no login, no database lookup to trust them.

Signed with Django's ``SECRET_KEY`` and a salt per purpose, so a token made
for one purpose (or by another shop) is refused by every other. Unsubscribe
tokens never expire (a mail is read months later); confirmation tokens do.
"""

from django.core import signing

from ..error_codes import CampaignErrorCode
from ..errors import CRMError

MAX_TOKEN_LENGTH = 1000

UNSUBSCRIBE = "unsubscribe"
CONFIRM = "confirm"


def make_token(purpose: str, payload: dict) -> str:
    """A URL-safe signed token carrying ``payload`` (small JSON: ids, a channel)."""
    return signing.dumps(payload, salt=f"saleor_crm_plugin.{purpose}", compress=False)


def read_token(purpose: str, token, max_age_seconds: int | None = None) -> dict:
    """The payload of a token made for ``purpose``.

    Raises ``CRMError`` ``TOKEN_EXPIRED`` (older than ``max_age_seconds``) or
    ``INVALID_TOKEN`` (tampered, foreign, malformed or too long).
    """
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        raise CRMError(CampaignErrorCode.INVALID_TOKEN, "This link is not valid.", "token")
    try:
        payload = signing.loads(token, salt=f"saleor_crm_plugin.{purpose}", max_age=max_age_seconds)
    except signing.SignatureExpired:
        raise CRMError(CampaignErrorCode.TOKEN_EXPIRED, "This link has expired.", "token") from None
    except (signing.BadSignature, ValueError, UnicodeError):
        raise CRMError(CampaignErrorCode.INVALID_TOKEN, "This link is not valid.", "token") from None
    if not isinstance(payload, dict):
        raise CRMError(CampaignErrorCode.INVALID_TOKEN, "This link is not valid.", "token")
    return payload
