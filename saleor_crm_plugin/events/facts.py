"""Set-based writes of the facts profiles are derived from.

One fold batch is first reduced in Python to one row per entity (newest
snapshot wins, flags are OR-ed), then written with one
``INSERT … ON CONFLICT DO UPDATE`` per table. The same reduction runs again in
SQL against what is already stored, so the result does not depend on the
order or the number of times events arrive.
"""

import json
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection

from ..normalized.schema import CheckoutEvent, OrderEvent
from ..db import binding_cursor, stage_rows

ORDER_KIND_FLAGS = {
    "order.paid": "is_paid",
    "order.fully_paid": "is_paid",
    "order.fulfilled": "is_fulfilled",
    "order.cancelled": "is_cancelled",
    "order.expired": "is_expired",
    "order.refunded": "is_refunded",
    "order.fully_refunded": "is_fully_refunded",
}
ORDER_STATUS_FLAGS = {
    "canceled": "is_cancelled",
    "cancelled": "is_cancelled",
    "expired": "is_expired",
    "fulfilled": "is_fulfilled",
}
ORDER_FLAGS = sorted(set(ORDER_KIND_FLAGS.values()))
NEWER = (
    "(COALESCE(EXCLUDED.source_updated_at, '-infinity'), EXCLUDED.version_key) >= "
    "(COALESCE(t.source_updated_at, '-infinity'), t.version_key)"
)


# Columns written by ``upsert`` that hold JSON (passed to COPY as JSON text).
JSON_COLUMNS = frozenset({"lines", "attributes", "channel_listings", "variants"})


def upsert(table: str, key: str, rows: list[dict], snapshot: list[str], merged: dict[str, str]):
    """Insert rows or fold them into stored ones; return ``(key, id, version_key)``.

    ``snapshot`` columns take the incoming value only when it is at least as
    new as the stored one; ``merged`` columns use the given SQL expression
    (``t`` is the stored row, ``EXCLUDED`` the incoming one). Rows travel by
    COPY into a staging table (``sql.stage_rows``).
    """
    if not rows:
        return []
    columns = list(rows[0])
    assignments = [f"{c} = CASE WHEN {NEWER} THEN EXCLUDED.{c} ELSE t.{c} END" for c in snapshot]
    assignments += [f"{c} = {expr}" for c, expr in merged.items()]
    # version columns last: the CASEs above must compare against the old ones.
    for c in ("source_updated_at", "version_key"):
        assignments.append(f"{c} = CASE WHEN {NEWER} THEN EXCLUDED.{c} ELSE t.{c} END")
    column_list = ", ".join(columns)
    stage = stage_rows(table, columns, (
        [json.dumps(row[c]) if c in JSON_COLUMNS else row[c] for c in columns] for row in rows
    ))
    sql = (
        f"INSERT INTO {table} AS t ({column_list}) "  # noqa: S608 - identifiers are ours
        f"SELECT {column_list} FROM {stage} "
        f"ON CONFLICT ({key}) DO UPDATE SET {', '.join(assignments)} "
        f"RETURNING t.{key}, t.id, t.version_key"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


def _newer(a, b) -> bool:
    """Whether snapshot ``(updated_at, key)`` a is at least as new as b."""
    return (a[0], a[1]) >= (b[0], b[1])


@dataclass
class OrderFact:
    event: OrderEvent
    version_key: str
    profile_id: int | None
    scrub: bool
    flags: set = field(default_factory=set)
    fulfilled_at: datetime | None = None  # the earliest version that showed it fulfilled

    def saw(self, event: OrderEvent, flags: set) -> None:
        if "is_fulfilled" in flags and (self.fulfilled_at is None or event.updated_at < self.fulfilled_at):
            self.fulfilled_at = event.updated_at


def order_flags(event: OrderEvent) -> set:
    flags = {ORDER_KIND_FLAGS[event.kind]} if event.kind in ORDER_KIND_FLAGS else set()
    status_flag = ORDER_STATUS_FLAGS.get(event.status.lower())
    return flags | ({status_flag} if status_flag else set())


def reduce_orders(items) -> dict[str, OrderFact]:
    """One fact per order from ``(event, dedupe_key, profile_id, scrub)`` items."""
    facts: dict[str, OrderFact] = {}
    for event, key, profile_id, scrub in items:
        fact = facts.get(event.order_id)
        flags = order_flags(event)
        if fact is None:
            fact = facts[event.order_id] = OrderFact(event, key, profile_id, scrub, set(flags))
            fact.saw(event, flags)
            continue
        fact.flags |= flags
        fact.saw(event, flags)
        if _newer((event.updated_at, key), (fact.event.updated_at, fact.version_key)):
            fact.event, fact.version_key, fact.profile_id, fact.scrub = event, key, profile_id, scrub
    return facts


def write_orders(facts: dict[str, OrderFact]) -> set[int]:
    """Upsert orders and, where the incoming snapshot won, their lines.

    Returns the profiles whose orders changed, including profiles an order
    moved away from.
    """
    if not facts:
        return set()
    touched = {f.profile_id for f in facts.values()}
    with binding_cursor() as cursor:
        cursor.execute("SELECT order_id, profile_id FROM crm_order WHERE order_id = ANY(%b)", [list(facts)])
        existing = dict(cursor.fetchall())
    touched |= set(existing.values())
    rows = []
    for order_id in sorted(facts):  # a stable order avoids lock-order deadlocks
        fact = facts[order_id]
        e = fact.event
        row = {
            "order_id": order_id, "number": e.number, "profile_id": fact.profile_id,
            "user_id": None if fact.scrub else e.customer.user_id,
            "email": None if fact.scrub else e.customer.email,
            "channel": e.channel, "currency": e.currency, "status": e.status,
            "total_gross": e.total_gross, "total_net": e.total_net, "lines_count": len(e.lines),
            "placed_at": e.placed_at, "checkout_token": e.checkout_token, "country": e.country,
            "phone": "" if fact.scrub else e.customer.phone,
            "source_updated_at": e.updated_at, "version_key": fact.version_key, "fulfilled_at": fact.fulfilled_at,
        }
        row.update({flag: flag in fact.flags for flag in ORDER_FLAGS})
        rows.append(row)
    snapshot = [
        "number", "profile_id", "user_id", "email", "channel", "currency", "status",
        "total_gross", "total_net", "lines_count", "placed_at", "checkout_token", "country", "phone",
    ]
    merged = {flag: f"t.{flag} OR EXCLUDED.{flag}" for flag in ORDER_FLAGS}
    merged["fulfilled_at"] = "LEAST(t.fulfilled_at, EXCLUDED.fulfilled_at)"  # LEAST skips NULLs
    stored = upsert("crm_order", "order_id", rows, snapshot, merged)
    winners = {order_id: pk for order_id, pk, version in stored if version == facts[order_id].version_key}
    _replace_lines(winners, facts, existing)
    return {pid for pid in touched if pid is not None}


def _replace_lines(winners: dict[str, int], facts: dict[str, OrderFact], existing: dict) -> None:
    if not winners:
        return
    with connection.cursor() as cursor:
        replaced = [pk for order_id, pk in winners.items() if order_id in existing]
        if replaced:  # new orders have no lines yet
            binding_cursor().execute("DELETE FROM crm_order_line WHERE order_id = ANY(%b)", [replaced])
        copy_sql = (
            "COPY crm_order_line (order_id, line_id, product_id, variant_id, product_name, "
            "variant_name, sku, category, quantity, unit_price, total_price) FROM STDIN"
        )
        with cursor.cursor.copy(copy_sql) as copy:
            for order_id, pk in winners.items():
                for line in facts[order_id].event.lines:
                    copy.write_row((
                        pk, line.line_id, line.product_id, line.variant_id, line.product_name,
                        line.variant_name, line.sku, line.category, line.quantity,
                        line.unit_price, line.total_price,
                    ))


@dataclass
class CheckoutFact:
    token: str
    event: CheckoutEvent | None = None
    version_key: str = ""
    profile_id: int | None = None
    scrub: bool = False
    is_paid: bool = False
    completed_at: datetime | None = None


def reduce_checkouts(items, completions) -> dict[str, CheckoutFact]:
    """One fact per checkout from checkout events and completing orders.

    ``completions`` are ``(token, placed_at, profile_id)`` of orders made from
    a checkout: a completed checkout is never abandoned.
    """
    facts: dict[str, CheckoutFact] = {}
    for event, key, profile_id, scrub in items:
        fact = facts.setdefault(event.token, CheckoutFact(event.token))
        fact.is_paid |= event.kind == "checkout.fully_paid"
        if fact.event is None or _newer((event.updated_at, key), (fact.event.updated_at, fact.version_key)):
            fact.event, fact.version_key, fact.profile_id, fact.scrub = event, key, profile_id, scrub
    for token, placed_at, profile_id in completions:
        fact = facts.setdefault(token, CheckoutFact(token, profile_id=profile_id))
        fact.completed_at = min(filter(None, [fact.completed_at, placed_at]))
    return facts


def write_checkouts(facts: dict[str, CheckoutFact]) -> set[int]:
    """Upsert checkouts; return the profiles they belong to."""
    rows = []
    for token in sorted(facts):
        fact = facts[token]
        e = fact.event
        customer = e.customer if e and not fact.scrub else None
        rows.append({
            "token": token, "profile_id": fact.profile_id,
            "user_id": customer.user_id if customer else None,
            "email": customer.email if customer else None,
            "channel": e.channel if e else "", "currency": e.currency if e else "",
            "total_gross": e.total_gross if e else 0,
            "lines": ([
                {"product_id": l.product_id, "variant_id": l.variant_id, "name": l.product_name, "quantity": l.quantity}
                for l in (e.lines if e else ())
            ]),
            "lines_count": len(e.lines) if e else 0,
            "started_at": e.started_at if e else None, "last_change": e.updated_at if e else None,
            "source_updated_at": e.updated_at if e else None, "version_key": fact.version_key,
            "is_paid": fact.is_paid, "completed_at": fact.completed_at,
        })
    snapshot = [
        "user_id", "email", "channel", "currency", "total_gross", "lines", "lines_count",
        "started_at", "last_change",
    ]
    merged = {
        "is_paid": "t.is_paid OR EXCLUDED.is_paid",
        "completed_at": "LEAST(t.completed_at, EXCLUDED.completed_at)",
        # A checkout with no identity yet takes the first profile it gets.
        "profile_id": f"CASE WHEN {NEWER} AND EXCLUDED.profile_id IS NOT NULL "
        "THEN EXCLUDED.profile_id ELSE COALESCE(t.profile_id, EXCLUDED.profile_id) END",
    }
    with binding_cursor() as cursor:
        cursor.execute("SELECT profile_id FROM crm_checkout WHERE token = ANY(%b)", [list(facts)])
        touched = {row[0] for row in cursor.fetchall()}
    upsert("crm_checkout", "token", rows, snapshot, merged)
    return {pid for pid in touched | {f.profile_id for f in facts.values()} if pid is not None}


def write_products(items) -> int:
    """Upsert product snapshots from ``(event, dedupe_key)`` items."""
    facts: dict[int, tuple] = {}
    deleted: set[int] = set()
    for event, key in items:
        if event.kind == "product.deleted":
            deleted.add(event.product_id)
        current = facts.get(event.product_id)
        if current is None or _newer((event.updated_at, key), (current[0].updated_at, current[1])):
            facts[event.product_id] = (event, key)
    rows = []
    for product_id in sorted(facts):
        e, key = facts[product_id]
        rows.append({
            "product_id": product_id, "name": e.name[:250], "slug": e.slug[:255],
            "description_text": e.description_text, "image_url": e.image_url[:500], "category_id": e.category_id,
            "category": e.category[:250], "product_type": e.product_type[:250],
            "attributes": e.attributes, "channel_listings": list(e.channel_listings),
            "variants": list(e.variants), "is_deleted": product_id in deleted,
            "source_updated_at": e.updated_at, "version_key": key,
        })
    snapshot = [
        "name", "slug", "description_text", "image_url", "category_id", "category", "product_type",
        "attributes", "channel_listings", "variants",
    ]
    upsert("crm_product_snapshot", "product_id", rows, snapshot, {"is_deleted": "t.is_deleted OR EXCLUDED.is_deleted"})
    return len(rows)
