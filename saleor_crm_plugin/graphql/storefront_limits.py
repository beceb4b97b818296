"""The storefront's side of ``rate_limits``: which request a hit comes from, and the answer's Retry-After.

A mutation that mails or stores for a visitor calls ``take_hit`` before it
does anything. A refusal is the mutation's ``errors`` entry
``rate_limited`` (raised on as a ``RateLimited``); the view then answers
HTTP 429 with ``Retry-After`` (the largest wait of the request's refusals).
"""

from ..rate_limits import RateLimited, client_of, take


def take_hit(info, subject: str | None = None) -> None:
    """One hit for the caller's client (and ``subject``: an address, a link); ``RateLimited`` past a budget."""
    request = info.context
    try:
        take(client=client_of(request), subject=subject)
    except RateLimited as refused:
        request.crm_retry_after = max(getattr(request, "crm_retry_after", 0), refused.retry_after)
        raise


def retry_after(request) -> int | None:
    """The seconds a rate-limited request must wait (None when nothing was limited)."""
    return getattr(request, "crm_retry_after", None)
