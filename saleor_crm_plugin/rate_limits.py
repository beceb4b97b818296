"""Limits on what a visitor who is not signed in can make the shop do.

Every storefront operation that mails or stores something without a token —
subscribing, a guest's message, a survey answer, an answer to a reply — takes
one hit from two budgets before it does anything:

* **per client**: ``anonymous_per_client_per_minute`` hits per minute for one
  visitor (an IPv4 address, or an IPv6 /64), all such operations together;
* **per subject**: ``anonymous_per_address_per_hour`` hits per hour for one
  email address (across channels), or one customer of a signed link.

Past either, the operation is refused with ``rate_limited`` and the seconds
until the window ends (``Retry-After``). The defaults are far above what a
shopper does (one subscription, a message or two) and far below what a
script needs to mail strangers. Windows are fixed (a minute, an hour) and
counted in PostgreSQL, so every web process of the shop shares them; keys
are HMACs (no address or IP is stored) and old windows are deleted hourly.

The visitor's address is the connection's, or — behind a proxy — the one the
``client_ip_header`` names, ``trusted_proxies`` entries from the right.
"""

import hashlib
import hmac
import ipaddress
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from .config import get_setting, get_text_setting
from .error_codes import LimitErrorCode
from .errors import CRMError

CLIENT_WINDOW = timedelta(minutes=1)
SUBJECT_WINDOW = timedelta(hours=1)
KEEP_WINDOWS_FOR = timedelta(days=1)

TAKE_SQL = """
INSERT INTO crm_rate_limit (key, window_start, hits)
SELECT * FROM unnest(%s::text[], %s::timestamptz[], %s::int[])
ON CONFLICT (key) DO UPDATE SET
    hits = CASE WHEN crm_rate_limit.window_start = EXCLUDED.window_start THEN crm_rate_limit.hits + 1 ELSE 1 END,
    window_start = EXCLUDED.window_start
RETURNING key, hits
"""


class RateLimited(CRMError):
    """``rate_limited``: too many requests; ``retry_after`` is the number of seconds to wait."""

    def __init__(self, retry_after: int):
        super().__init__(LimitErrorCode.RATE_LIMITED,
                         f"Too many requests. Please try again in {retry_after} seconds.")
        self.retry_after = retry_after


def client_of(request) -> str:
    """The visitor behind ``request``: an IPv4 address or an IPv6 /64 (a host has a whole /64)."""
    header = get_text_setting("client_ip_header")
    address = request.META.get("REMOTE_ADDR") or ""
    if header:
        hops = [part.strip() for part in request.META.get(f"HTTP_{header.upper().replace('-', '_')}", "").split(",")]
        hops = [hop for hop in hops if hop]
        trusted = get_setting("trusted_proxies")
        if len(hops) >= trusted:
            address = hops[-trusted]
    try:
        ip = ipaddress.ip_address(address.strip("[]"))
    except ValueError:
        return f"unparsed:{address[:100]}"
    if ip.version == 6:
        if ip.ipv4_mapped is not None:  # ::ffff:1.2.3.4 is the IPv4 visitor 1.2.3.4
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def _key(scope: str, value: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"crm-rate-limit:{scope}:{value}".encode(),
                    hashlib.sha256).hexdigest()


def _window_start(now: datetime, window: timedelta) -> datetime:
    seconds = int(window.total_seconds())
    return datetime.fromtimestamp(int(now.timestamp()) // seconds * seconds, tz=now.tzinfo)


def take(*, client: str | None, subject: str | None = None, now: datetime | None = None) -> None:
    """Take one hit from the client's budget and the subject's (an address, ``customer:<id>``…).

    Raises ``RateLimited`` when either is spent (the hit counts all the
    same: hammering does not reopen the window). Call it before the
    operation opens its transaction, so a refused or failed one still counts.
    """
    now = now or timezone.now()
    budgets = []  # (key, window start, window, limit)
    if client is not None:
        budgets.append((_key("client", client), _window_start(now, CLIENT_WINDOW), CLIENT_WINDOW,
                        get_setting("anonymous_per_client_per_minute")))
    if subject:
        budgets.append((_key("subject", subject.strip().lower()), _window_start(now, SUBJECT_WINDOW),
                        SUBJECT_WINDOW, get_setting("anonymous_per_address_per_hour")))
    if not budgets:
        return
    with connection.cursor() as cursor:
        cursor.execute(TAKE_SQL, [[b[0] for b in budgets], [b[1] for b in budgets], [1] * len(budgets)])
        hits = dict(cursor.fetchall())
    waits = [int((start + window - now).total_seconds()) + 1
             for key, start, window, limit in budgets if hits.get(key, 0) > limit]
    if waits:
        raise RateLimited(max(waits))


def forget_old_windows(now: datetime | None = None) -> int:
    """Delete windows that ended more than a day ago; returns how many."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM crm_rate_limit WHERE window_start < %s", [(now or timezone.now()) - KEEP_WINDOWS_FOR])
        return cursor.rowcount
