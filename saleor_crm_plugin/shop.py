"""What the CRM knows of the shop itself: its sales channels.

Inside Saleor the channels are Saleor's own (``saleor.channel``, active
ones); outside it (the standalone host, App mode) they are the channels the
CRM has seen in orders, checkouts and product listings (``ShopChannel``,
which the fold keeps). A storefront request naming a channel is checked
against them before anything is mailed or stored, so an invented channel
cannot multiply what one address receives.

Both lists are read at most once per ``CACHE_SECONDS`` per process.
"""

import time

from django.apps import apps
from django.db import connection, transaction

from .error_codes import CampaignErrorCode
from .errors import CRMError
from .models import ShopChannel
from .normalized.fields import CHANNEL_RE

CACHE_SECONDS = 30.0
RECHECK_AFTER_SECONDS = 1.0  # a slug the cached list lacks is looked up again once the list is this old
_cache: dict = {}
_seen: set[str] = set()  # slugs this process already knows are stored: the fold skips them


def shop_channels(max_age: float = CACHE_SECONDS) -> frozenset[str]:
    """The slugs of the shop's channels (read again once the cached list is ``max_age`` seconds old)."""
    now = time.monotonic()
    cached = _cache.get("channels")
    if cached is not None and now - cached[0] < max_age:
        return cached[1]
    if apps.is_installed("saleor.channel"):
        from saleor.channel.models import Channel  # only inside Saleor

        channels = frozenset(Channel.objects.filter(is_active=True).values_list("slug", flat=True))
    else:
        channels = frozenset(ShopChannel.objects.values_list("slug", flat=True))
    _cache["channels"] = (now, channels)
    return channels


def forget_channels(*, stored: bool = False) -> None:
    """Drop the cached list (a channel just learnt); ``stored`` also what this process stored (a test whose
    database was rolled back)."""
    _cache.pop("channels", None)
    if stored:
        _seen.clear()


def check_channel(channel, field: str = "channel") -> str:
    """``channel`` when it is one of the shop's channels; ``INVALID_CHANNEL`` otherwise (the same words
    for a malformed slug and an unknown one)."""
    known = isinstance(channel, str) and CHANNEL_RE.fullmatch(channel) is not None and (
        channel in shop_channels() or channel in shop_channels(RECHECK_AFTER_SECONDS))  # a channel added just now
    if not known:
        raise CRMError(CampaignErrorCode.INVALID_CHANNEL, "This is not one of the shop's channels.", field)
    return channel


def note_channels(slugs) -> None:
    """Remember channels the fold met (one statement, only for slugs this process has not stored yet)."""
    new = sorted({s for s in slugs if isinstance(s, str) and s and len(s) <= 255} - _seen)
    if not new:
        return
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO crm_shop_channel (slug, first_seen_at) SELECT unnest(%s::text[]), now() "
                       "ON CONFLICT DO NOTHING", [new])
    # Remembered once the fold's transaction commits: a rolled-back batch must be able to store them again.
    transaction.on_commit(lambda: (_seen.update(new), forget_channels()))
