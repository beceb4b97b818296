"""Signed links in support mails: the reply page and the survey scores (``campaigns.tokens``, own purposes).

A token made for one purpose is refused by the other (and by the marketing
links), a tampered or foreign one is ``INVALID_TOKEN``, an old one
``TOKEN_EXPIRED``.
"""

from ..campaigns import tokens
from ..campaigns.mail import plugin_url
from ..config import get_setting
from ..error_codes import SupportErrorCode
from ..errors import CRMError

REPLY = "support_reply"
SURVEY = "survey"
DAYS = {REPLY: "reply_link_days", SURVEY: "survey_link_days"}
PATHS = {REPLY: "reply", SURVEY: "survey"}  # under the plugin's path: <path>/<token>


def link(purpose: str, payload: dict) -> str:
    """The absolute URL of the page for ``purpose`` carrying ``payload`` signed."""
    return plugin_url(f"{PATHS[purpose]}/{tokens.make_token(purpose, payload)}")


def read(purpose: str, token) -> dict:
    """The payload of a link's token; ``INVALID_TOKEN`` or ``TOKEN_EXPIRED`` (after the purpose's setting in days)."""
    try:
        return tokens.read_token(purpose, token, max_age_seconds=get_setting(DAYS[purpose]) * 86400)
    except CRMError as error:
        code = SupportErrorCode.TOKEN_EXPIRED if error.code_value == "token_expired" else SupportErrorCode.INVALID_TOKEN
        raise CRMError(code, error.message, "token") from None


def invalid() -> CRMError:
    """The refusal of a well-signed token whose content does not fit (or whose customer was erased)."""
    return CRMError(SupportErrorCode.INVALID_TOKEN, "This link is not valid.", "token")
