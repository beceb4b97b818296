from datetime import datetime, timedelta, timezone
from decimal import Decimal
from itertools import count

import pytest

# Everything here is for the standalone host; tests/saleor/ has its own
# pytest.ini and conftest and never loads this file.
T0 = datetime(2025, 3, 1, 9, 0, tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def _no_on_commit_enqueue(settings):
    # Tests fold explicitly; the durability test runs a real worker instead.
    settings.SALEOR_CRM_FOLD_ON_COMMIT = False
    # Tests train explicitly; tests/recommendations/test_cold_start.py switches this back on.
    settings.SALEOR_CRM_AUTO_TRAIN = False
    # Saved settings are cached for a few seconds per process: never across tests.
    from saleor_crm_plugin.config import forget_stored
    from saleor_crm_plugin.models.app import forget_registered_apps
    from saleor_crm_plugin.shop import forget_channels

    forget_stored()
    forget_channels(stored=True)  # each test's database starts without the channels an earlier one stored
    # So is the registered app's id (extension tokens are checked against it).
    forget_registered_apps()


@pytest.fixture
def shop_channels(db):
    """The shop sells in default-channel, web and outlet (as if orders there had been folded); call it to add more."""
    from saleor_crm_plugin.models import ShopChannel
    from saleor_crm_plugin.shop import forget_channels

    def add(*slugs):
        ShopChannel.objects.bulk_create([ShopChannel(slug=slug) for slug in slugs], ignore_conflicts=True)
        forget_channels()

    add("default-channel", "web", "outlet")
    return add


class EventFactory:
    """Builds normalized events with readable defaults."""

    def __init__(self):
        self._numbers = count(1)

    def line(self, product_id=1, quantity=1, price="10.00", name=None, category="Pantry"):
        from saleor_crm_plugin.normalized.schema import Line

        price = Decimal(price)
        return Line(
            quantity=quantity, product_id=product_id, variant_id=f"v{product_id}",
            product_name=name or f"Product {product_id}", category=category,
            unit_price=price, total_price=price * quantity,
        )

    def order(self, kind="order.created", *, order_id=None, email=None, user_id=None, at=T0,
              updated_at=None, currency="USD", lines=None, status="unfulfilled", channel="default-channel",
              checkout_token="", first_name="", country="", phone="", number=None):
        from saleor_crm_plugin.normalized.schema import Customer, OrderEvent

        lines = tuple(lines if lines is not None else [self.line()])
        total = sum((line.total_price for line in lines), Decimal(0))
        number = number if number is not None else next(self._numbers)
        return OrderEvent(
            kind=kind, occurred_at=updated_at or at, order_id=order_id or f"order-{number}",
            number=str(number), customer=Customer(user_id=user_id, email=email, first_name=first_name,
                                                  phone=phone),
            channel=channel, currency=currency, status=status, total_gross=total, total_net=total,
            lines=lines, placed_at=at, updated_at=updated_at or at, checkout_token=checkout_token, country=country,
        )

    def checkout(self, kind="checkout.created", *, token="chk-1", email=None, user_id=None, at=T0,
                 lines=None, currency="USD"):
        from saleor_crm_plugin.normalized.schema import CheckoutEvent, Customer

        lines = tuple(lines if lines is not None else [self.line()])
        return CheckoutEvent(
            kind=kind, occurred_at=at, token=token, customer=Customer(user_id=user_id, email=email),
            channel="default-channel", currency=currency,
            total_gross=sum((line.total_price for line in lines), Decimal(0)),
            lines=lines, started_at=at, updated_at=at,
        )

    def customer(self, kind="customer.created", *, user_id=1, email="ann@example.com", at=T0,
                 first_name="Ann", last_name="Lee", phone=""):
        from saleor_crm_plugin.normalized.schema import Customer, CustomerEvent

        return CustomerEvent(
            kind=kind, occurred_at=at, updated_at=at, joined_at=at,
            customer=Customer(user_id=user_id, email=email, first_name=first_name, last_name=last_name,
                              phone=phone),
        )

    def product(self, kind="product.updated", *, product_id=1, name="Tea", at=T0, channels=("default-channel",),
                category="Drinks", product_type="Grocery", attributes=None, description=None, listings=None):
        from saleor_crm_plugin.normalized.schema import ProductEvent

        return ProductEvent(
            kind=kind, occurred_at=at, updated_at=at, product_id=product_id, name=name,
            slug=name.lower(), description_text=description if description is not None else f"{name} description",
            category=category, product_type=product_type,
            attributes=attributes if attributes is not None else {"Origin": ["India"]},
            channel_listings=tuple(listings if listings is not None else (
                {"channel": c, "is_published": True} for c in channels)),
        )


@pytest.fixture
def events():
    return EventFactory()


@pytest.fixture
def ingest(db):
    """Record events and fold them, as the worker would."""
    from saleor_crm_plugin.events.fold import process_pending
    from saleor_crm_plugin.events.outbox import record

    def _ingest(*items):
        for item in items:
            record(item, source="test")
        return process_pending()

    return _ingest


SIMPLE_MJML = ("<mjml><mj-body><mj-section><mj-column><mj-text>Hi {{default customer.first_name \"friend\"}}"
               "</mj-text></mj-column></mj-section></mj-body></mjml>")


@pytest.fixture
def template(db):
    """A mail template (for the campaign tests of the service and of the API)."""
    from saleor_crm_plugin.models import EmailTemplate

    return EmailTemplate.objects.create(name="Spring", subject="Hello {{customer.first_name}}", body=SIMPLE_MJML)


@pytest.fixture
def segments(db):
    """Three saved segments."""
    from saleor_crm_plugin.models import Segment

    return [Segment.objects.create(name=f"Segment {i}", rules={"field": "order_count", "op": "gte", "value": i})
            for i in range(3)]


def days(n):
    return timedelta(days=n)


class OrdersSource:
    """A backfill source over a list of order events in one batch: the shop's history as Saleor's tables give
    it at switch-on."""

    name = "first-day"
    entities = ("orders",)

    def __init__(self, orders):
        self.orders = orders

    def count(self, entity):
        return len(self.orders)

    def batches(self, entity, after, size):
        yield list(self.orders), "done", len(self.orders)
