"""Limits on what a visitor who is not signed in can make the shop do.

Every storefront operation that mails or stores something without a token —
subscribing, a guest's message, a survey answer, an answer to a reply — takes
one hit from two budgets before it does anything:

* **per client**: ``anonymous_per_client_per_minute`` hits per minute for one
  visitor (an IPv4 address, or an IPv6 /64), all such operations together;
* **per subject**: ``anonymous_per_address_per_hour`` hits per hour for one
  email address (across channels), or one customer of a signed link.

Past either, the operation is refused with ``rate_limited`` and the seconds
until a slot frees (``Retry-After``). The defaults are far above what a
shopper does (one subscription, a message or two) and far below what a
script needs to mail strangers. Windows slide: each key keeps the times it
was let through (at most the limit's number), so no minute — any minute —
lets more through than the limit. They live in PostgreSQL, so every web
process of the shop shares them; a refused request is not recorded (it does
nothing, and hammering must not lock a visitor out for longer than the
window). Keys are HMACs (no address or IP is stored); rows untouched for a
day are deleted hourly.

The visitor's address is the connection's, or — behind a proxy — the one the
``client_ip_header`` names, ``trusted_proxies`` entries from the right.
"""

import hashlib
import hmac
import ipaddress
import math
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from .config import get_setting, get_text_setting
from .error_codes import LimitErrorCode
from .errors import CRMError

CLIENT_WINDOW = timedelta(minutes=1)
SUBJECT_WINDOW = timedelta(hours=1)
KEEP_ROWS_FOR = timedelta(days=1)


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


def take(*, client: str | None, subject: str | None = None, now: datetime | None = None) -> None:
    """Let one request through the client's budget and the subject's (an address, ``link:<token>``…).

    Raises ``RateLimited`` when either is spent (then neither records the
    request). Call it before the operation opens its transaction, so that a
    request let through counts even when the operation then fails.
    """
    now = now or timezone.now()
    budgets = {}  # key → (window, limit)
    if client is not None:
        budgets[_key("client", client)] = (CLIENT_WINDOW, get_setting("anonymous_per_client_per_minute"))
    if subject:
        budgets[_key("subject", subject.strip().lower())] = (SUBJECT_WINDOW,
                                                              get_setting("anonymous_per_address_per_hour"))
    _spend(budgets, now)


def take_budget(scope: str, value: str, *, window: timedelta, limit: int, now: datetime | None = None) -> None:
    """Let one request through a fixed budget: ``limit`` per sliding ``window`` for ``value`` within ``scope``.

    For limits that are no storefront visitor's (a staff member's test mails); raises ``RateLimited``
    when the budget is spent, like ``take``, in the same table.
    """
    _spend({_key(scope, value): (window, limit)}, now or timezone.now())


def _spend(budgets: dict, now: datetime) -> None:
    if not budgets:
        return
    keys = sorted(budgets)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("INSERT INTO crm_rate_limit (key, stamps, updated_at) SELECT unnest(%s::text[]), '{}', %s "
                       "ON CONFLICT DO NOTHING", [keys, now])
        # Locked in key order: two requests sharing a key wait for each other, never deadlock.
        cursor.execute("SELECT key, stamps FROM crm_rate_limit WHERE key = ANY(%s::text[]) ORDER BY key FOR UPDATE",
                       [keys])
        recent = {key: sorted(stamp for stamp in stamps if stamp > now - budgets[key][0])
                  for key, stamps in cursor.fetchall()}
        waits = [(recent[key][-limit] + window - now).total_seconds()
                 for key, (window, limit) in budgets.items() if len(recent[key]) >= limit]
        if waits:
            raise RateLimited(max(1, math.ceil(max(waits))))
        for key in keys:
            cursor.execute("UPDATE crm_rate_limit SET stamps = %s, updated_at = %s WHERE key = %s",
                           [(recent[key] + [now])[-budgets[key][1]:], now, key])


def forget_old_windows(now: datetime | None = None) -> int:
    """Delete the rows of keys untouched for a day (their windows are long past); returns how many."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM crm_rate_limit WHERE updated_at < %s", [(now or timezone.now()) - KEEP_ROWS_FOR])
        return cursor.rowcount
