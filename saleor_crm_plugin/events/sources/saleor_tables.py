"""Saleor's own database as a backfill source (needs Saleor installed).

Keyset pagination per entity — users and products by primary key, orders by
their unique ``number``, checkouts by token — so a resumed run continues
exactly after the last committed batch.
"""

from collections.abc import Iterator

from .. import adapters as adapter


class SaleorSource:
    name = "saleor"
    entities = ("customers", "products", "orders", "checkouts")

    def __init__(self):
        # Saleor is optional: the standalone host and its tests import this module without it.
        from saleor.account.models import User
        from saleor.checkout.models import Checkout
        from saleor.order import OrderStatus
        from saleor.order.models import Order
        from saleor.product.models import Product

        self.querysets = {
            "customers": (User.objects.filter(is_staff=False).select_related(
                "default_billing_address", "default_shipping_address"), "pk", int),
            "products": (
                Product.objects.select_related("category", "product_type").prefetch_related(
                    "channel_listings__channel", "attributevalues__value__attribute", "variants"
                ),
                "pk",
                int,
            ),
            "orders": (
                Order.objects.exclude(status=OrderStatus.DRAFT)
                .select_related("channel", "billing_address", "shipping_address")
                .prefetch_related("lines__variant__product__category"),
                "number",
                int,
            ),
            "checkouts": (
                Checkout.objects.select_related("channel", "user").prefetch_related(
                    "lines__variant__product__category"
                ),
                "token",
                str,
            ),
        }
        self.builders = {
            "customers": lambda o: adapter.customer_event(o, "customer.created", occurred_at=o.updated_at),
            "products": lambda o: adapter.product_event(o, "product.created", occurred_at=o.updated_at),
            "orders": lambda o: adapter.order_event(o, "order.created", occurred_at=o.updated_at),
            "checkouts": lambda o: adapter.checkout_event(o, "checkout.created", occurred_at=o.last_change),
        }

    def count(self, entity: str) -> int:
        return self.querysets[entity][0].count()

    def batches(self, entity: str, after: str | None, size: int) -> Iterator:
        queryset, key, parse = self.querysets[entity]
        position = parse(after) if after is not None else None
        while True:
            page = queryset.order_by(key)
            if position is not None:
                page = page.filter(**{f"{key}__gt": position})
            objects = list(page[:size])
            if not objects:
                return
            position = getattr(objects[-1], key)
            build = self.builders[entity]
            yield [build(o) for o in objects], str(position), len(objects)
