"""The variables of one recipient's mail, built for a batch of recipients with a fixed number of queries.

What a template can use (``campaigns.templates`` renders them):

* ``customer``: ``first_name``, ``last_name``, ``full_name``, ``email`` and
  ``greeting_name`` — the first name, or "there" when the shop does not know
  it ("Hello {{customer.greeting_name}}"). For another fallback:
  ``{{default customer.first_name "friend"}}``.
* ``shop``: ``name`` (setting ``shop_name``, else ``from_name``) and ``url``
  (the public URL); ``channel``: ``slug``.
* ``unsubscribe_url``: the recipient's signed one-click unsubscribe link.
* ``last_order``: the customer's newest order that counts, in the campaign's
  channel — ``number``, ``placed_at`` (ISO date-time; ``{{date
  last_order.placed_at}}``), ``total`` (formatted), ``total_amount``,
  ``currency``, ``lines`` (``name``, ``variant``, ``quantity``) — or null
  (``{{#if last_order}}…{{/if}}``).
* ``recommendations``: up to four products for this customer, available in
  the channel (``recommendations.service.for_customer``; best-sellers before
  the first training) — ``product_id``, ``name``, ``image_url``, ``price``
  (formatted), ``price_amount``, ``currency``, ``url`` ("" unless the
  ``storefront_product_url`` setting is set). The price is the product's
  price in the channel's listing, else the last unit price paid for it in
  the channel.
"""

import json
from decimal import Decimal, InvalidOperation
from urllib.parse import quote

from django.db import connection
from django.utils import timezone

from ..config import get_text_setting
from ..errors import CRMError
from ..models import ProductSnapshot
from ..models.order import counted_sql, readable_counted_sql
from ..money import round_money
from ..recommendations import service
from . import mail
from .handlebars import format_money

RECOMMENDATIONS = 4
GREETING_FALLBACK = "there"

# The newest counted order of each profile in the channel, with its lines: one index scan per profile
# (crm_order_profile_idx), however many orders a heavy buyer has.
LAST_ORDERS_SQL = f"""
SELECT p.id, o.number, o.placed_at, o.total_gross, o.currency,
       COALESCE((SELECT json_agg(json_build_object('name', l.product_name, 'variant', l.variant_name,
                                                   'quantity', l.quantity) ORDER BY l.id)
                 FROM crm_order_line l WHERE l.order_id = o.id), '[]'::json)
FROM unnest(%s::bigint[]) AS p(id)
CROSS JOIN LATERAL (
    SELECT * FROM crm_order o
    WHERE o.profile_id = p.id AND o.channel = %s AND {readable_counted_sql("o")}
    ORDER BY o.placed_at DESC, o.id DESC LIMIT 1
) o
"""

# The unit price last paid for each product in the channel (for products whose listing has no price).
LAST_PAID_SQL = f"""
SELECT DISTINCT ON (l.product_id) l.product_id, l.unit_price, o.currency
FROM crm_order_line l JOIN crm_order o ON o.id = l.order_id
WHERE l.product_id = ANY(%s::bigint[]) AND o.channel = %s AND {counted_sql("o")}
  AND l.unit_price > 0  -- a free line (a gift, an import without prices) says nothing about the price
ORDER BY l.product_id, o.placed_at DESC, o.id DESC
"""


def _decimal(value) -> Decimal | None:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        return None
    return number if number.is_finite() else None


def shop_variables() -> dict:
    """``shop``: its name and public URL ("" when not configured)."""
    try:
        url = mail.public_url()
    except CRMError:  # no public URL yet: a preview still works, sending refuses elsewhere
        url = ""
    return {"name": get_text_setting("shop_name") or get_text_setting("from_name"), "url": url}


def customer_variables(profile: dict) -> dict:
    """``customer`` for one profile dict (``email``, ``first_name``, ``last_name``)."""
    first, last = (profile.get("first_name") or "").strip(), (profile.get("last_name") or "").strip()
    return {
        "first_name": first, "last_name": last, "full_name": " ".join(part for part in (first, last) if part),
        "email": profile.get("email") or "", "greeting_name": first or GREETING_FALLBACK,
    }


class RecipientContexts:
    """Builds recipients' variables for one channel (and campaign); product data is cached across batches."""

    def __init__(self, channel: str, campaign_id: int | None):
        self.channel, self.campaign_id = channel, campaign_id
        self.shop = shop_variables()
        self.url_pattern = get_text_setting("storefront_product_url")
        self._products: dict[int, dict | None] = {}  # product id -> its variables (None: no snapshot)

    def build(self, profiles: list[dict]) -> dict[int, dict]:
        """``{profile id: variables}`` for profiles given as dicts (id, email, first_name, last_name,
        favourite_categories)."""
        if not profiles:
            return {}
        orders = self._last_orders([profile["id"] for profile in profiles])
        picks = {profile["id"]: self._recommended(profile) for profile in profiles}
        self._load_products({product_id for ids in picks.values() for product_id in ids})
        return {
            profile["id"]: {
                "customer": customer_variables(profile),
                "shop": self.shop,
                "channel": {"slug": self.channel},
                "unsubscribe_url": mail.unsubscribe_url(profile["id"], self.channel, self.campaign_id),
                "last_order": orders.get(profile["id"]),
                "recommendations": [self._products[p] for p in picks[profile["id"]] if self._products.get(p)],
            }
            for profile in profiles
        }

    def sample(self) -> dict:
        """Variables for a preview without a customer: a made-up customer and order, the channel's best-sellers."""
        picks = self._recommended({"id": None, "favourite_categories": []})
        self._load_products(set(picks))
        recommendations = [self._products[p] for p in picks if self._products.get(p)]
        currency = next((r["currency"] for r in recommendations if r["currency"]), "USD")
        try:
            unsubscribe = mail.plugin_url("unsubscribe/sample")
        except CRMError:
            unsubscribe = "#"
        return {
            "customer": customer_variables({"email": "alex@example.com", "first_name": "Alex",
                                            "last_name": "Sample"}),
            "shop": self.shop,
            "channel": {"slug": self.channel},
            "unsubscribe_url": unsubscribe,
            "last_order": {
                "number": "1001", "placed_at": timezone.now().isoformat(), "total": format_money("42.50", currency),
                "total_amount": "42.50", "currency": currency,
                "lines": [{"name": r["name"], "variant": "", "quantity": 1} for r in recommendations[:2]],
            },
            "recommendations": recommendations,
        }

    # --- parts ---

    def _last_orders(self, profile_ids: list[int]) -> dict[int, dict]:
        with connection.cursor() as cursor:
            cursor.execute(LAST_ORDERS_SQL, [profile_ids, self.channel])
            rows = cursor.fetchall()
        orders = {}
        for profile_id, number, placed_at, total, currency, lines in rows:
            if isinstance(lines, str):  # psycopg returns json as text unless a loader is registered
                lines = json.loads(lines)
            orders[profile_id] = {
                "number": number, "placed_at": placed_at.isoformat(), "total": format_money(total, currency),
                "total_amount": str(round_money(total, currency)), "currency": currency, "lines": lines,
            }
        return orders

    def _recommended(self, profile: dict) -> list[int]:
        # The profile column holds [{"category", "quantity"}]; plain names are accepted too.
        categories = [item.get("category") if isinstance(item, dict) else item
                      for item in profile.get("favourite_categories") or []]
        try:
            found = service.for_customer(profile["id"], self.channel, limit=RECOMMENDATIONS,
                                         favourite_categories=[c for c in categories if isinstance(c, str) and c])
        except CRMError:  # e.g. an unknown channel: the mail goes out without the block
            return []
        return [recommendation.product_id for recommendation in found]

    def _load_products(self, product_ids: set[int]) -> None:
        missing = sorted(product_id for product_id in product_ids if product_id not in self._products)
        if not missing:
            return
        snapshots = {
            row["product_id"]: row for row in ProductSnapshot.objects.filter(product_id__in=missing).values(
                "product_id", "name", "slug", "image_url", "channel_listings")
        }
        unpriced = [product_id for product_id, row in snapshots.items() if self._listing_price(row)[0] is None]
        paid = {}
        if unpriced:
            with connection.cursor() as cursor:
                cursor.execute(LAST_PAID_SQL, [unpriced, self.channel])
                paid = {product_id: (price, currency) for product_id, price, currency in cursor.fetchall()}
        for product_id in missing:
            row = snapshots.get(product_id)
            if row is None:  # recommended from orders but never seen in the catalog: nothing to show
                self._products[product_id] = None
                continue
            amount, currency = self._listing_price(row)
            if amount is None:
                amount, currency = paid.get(product_id, (None, ""))
            self._products[product_id] = {
                "product_id": product_id, "name": row["name"], "image_url": row["image_url"],
                "price": format_money(amount, currency) if amount is not None else "",
                "price_amount": str(round_money(amount, currency)) if amount is not None else "",
                "currency": currency or "",
                "url": self._product_url(row),
            }

    def _listing_price(self, row: dict) -> tuple[Decimal | None, str]:
        for listing in row["channel_listings"] or []:
            if isinstance(listing, dict) and listing.get("channel") == self.channel:
                return _decimal(listing.get("price_amount")), str(listing.get("currency") or "")
        return None, ""

    def _product_url(self, row: dict) -> str:
        if not self.url_pattern:
            return ""
        return (self.url_pattern.replace("{channel}", quote(self.channel, safe=""))
                .replace("{slug}", quote(row["slug"] or "", safe=""))
                .replace("{id}", str(row["product_id"])))


def sample_context(channel: str) -> dict:
    """Variables for previewing a template in ``channel`` without a customer."""
    return RecipientContexts(channel, None).sample()
