"""What the CRM knows of the shop itself: its sales channels.

Inside Saleor the channels are Saleor's own (``saleor.channel``, active
ones, with their names and currencies); outside it (the standalone host, App
mode) they are the channels the CRM has seen in orders, checkouts and product
listings (``ShopChannel``, which the fold keeps, with a name where an event
carried one and the currency of its orders). A storefront request naming a
channel is checked against them before anything is mailed or stored, so an
invented channel cannot multiply what one address receives.

Saleor has no "default channel" flag; the shop's default channel (what every
channel picker of the Dashboard starts on) is, in this order:

1. the only channel, when there is one;
2. the channel Saleor's ``DEFAULT_CHANNEL_SLUG`` setting names
   (``default-channel`` unless the shop set it) — Saleor's own default, the
   one ``populatedb`` creates — when it is one of the shop's channels;
3. the channel most of the shop's latest orders (the CRM's last
   ``RECENT_ORDERS``) went through;
4. the first channel by slug (Saleor's own ordering of channels).

Both lists are read at most once per ``CACHE_SECONDS`` per process.
"""

import time
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.db import connection, transaction

from .error_codes import CampaignErrorCode
from .errors import CRMError
from .models import ShopChannel
from .normalized.fields import CHANNEL_RE

CACHE_SECONDS = 30.0
RECHECK_AFTER_SECONDS = 1.0  # a slug the cached list lacks is looked up again once the list is this old
RECENT_ORDERS = 10_000  # the orders rule 3 counts: the newest, read through the primary key (no scan)
SALEOR_DEFAULT_SLUG = "default-channel"  # Saleor's DEFAULT_CHANNEL_SLUG when the shop does not set it
_cache: dict = {}
_seen: dict[str, tuple[str, str]] = {}  # slug → (name, currency) this process already stored: the fold skips them

BUSIEST_CHANNEL_SQL = """
SELECT channel FROM (SELECT channel FROM crm_order ORDER BY id DESC LIMIT %s) latest
WHERE channel = ANY(%s) GROUP BY channel ORDER BY count(*) DESC, channel LIMIT 1
"""


@dataclass(frozen=True)
class Channel:
    """One of the shop's channels as the Dashboard shows it."""

    slug: str
    name: str  # the slug when no name is known
    currency: str  # ISO 4217, empty when not known yet
    is_default: bool


def shop_channels(max_age: float = CACHE_SECONDS) -> frozenset[str]:
    """The slugs of the shop's channels (read again once the cached list is ``max_age`` seconds old)."""
    return frozenset(channel.slug for channel in channel_list(max_age))


def channel_list(max_age: float = CACHE_SECONDS) -> tuple[Channel, ...]:
    """The shop's channels by slug, each with its name, currency and whether it is the shop's default channel.

    Read again once the cached list is ``max_age`` seconds old; the default
    follows the rule in this module's docstring.
    """
    now = time.monotonic()
    cached = _cache.get("channels")
    if cached is not None and now - cached[0] < max_age:
        return cached[1]
    if apps.is_installed("saleor.channel"):
        from saleor.channel.models import Channel as SaleorChannel  # only inside Saleor

        rows = [(slug, name, currency) for slug, name, currency in SaleorChannel.objects.filter(
            is_active=True).order_by("slug").values_list("slug", "name", "currency_code")]
    else:
        rows = list(ShopChannel.objects.order_by("slug").values_list("slug", "name", "currency"))
    default = _default_slug([slug for slug, _, _ in rows])
    channels = tuple(Channel(slug=slug, name=name or slug, currency=currency or "", is_default=slug == default)
                     for slug, name, currency in rows)
    _cache["channels"] = (now, channels)
    return channels


def _default_slug(slugs: list[str]) -> str | None:
    """The shop's default channel among ``slugs`` (sorted), by the rule in this module's docstring."""
    if len(slugs) <= 1:
        return slugs[0] if slugs else None
    configured = getattr(settings, "DEFAULT_CHANNEL_SLUG", None) or SALEOR_DEFAULT_SLUG
    if configured in slugs:
        return configured
    with connection.cursor() as cursor:
        cursor.execute(BUSIEST_CHANNEL_SQL, [RECENT_ORDERS, slugs])
        row = cursor.fetchone()
    return row[0] if row else slugs[0]


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


NOTE_SQL = """
INSERT INTO crm_shop_channel AS c (slug, name, currency, first_seen_at)
SELECT slug, name, currency, now() FROM unnest(%s::text[], %s::text[], %s::text[]) AS v(slug, name, currency)
ON CONFLICT (slug) DO UPDATE
SET name = COALESCE(NULLIF(EXCLUDED.name, ''), c.name), currency = COALESCE(NULLIF(EXCLUDED.currency, ''), c.currency)
WHERE (EXCLUDED.name <> '' AND EXCLUDED.name <> c.name) OR (EXCLUDED.currency <> '' AND EXCLUDED.currency <> c.currency)
"""


def note_channels(channels) -> None:
    """Remember channels the fold met, with a name and currency where the events carried them.

    ``channels``: slugs, or ``{slug: (name, currency)}`` (either may be
    empty: an empty one never overwrites a known one). One statement, only
    for what this process has not stored yet.
    """
    if not isinstance(channels, dict):
        channels = dict.fromkeys(channels, ("", ""))
    new = {}
    for slug, (name, currency) in channels.items():
        if not (isinstance(slug, str) and slug and len(slug) <= 255):
            continue
        facts = ((name or "")[:255] if isinstance(name, str) else "",
                 currency if isinstance(currency, str) and len(currency) == 3 else "")
        stored = _seen.get(slug)
        if stored is None or any(new_value and new_value != old for new_value, old in zip(facts, stored)):
            new[slug] = facts
    if not new:
        return
    slugs = sorted(new)
    with connection.cursor() as cursor:
        cursor.execute(NOTE_SQL, [slugs, [new[s][0] for s in slugs], [new[s][1] for s in slugs]])
    # Remembered once the fold's transaction commits: a rolled-back batch must be able to store them again.
    transaction.on_commit(lambda: (_remember(new), forget_channels()))


def _remember(stored: dict) -> None:
    for slug, (name, currency) in stored.items():
        old_name, old_currency = _seen.get(slug, ("", ""))
        _seen[slug] = (name or old_name, currency or old_currency)
