import pytest

from tests.conftest import T0, days


@pytest.fixture(autouse=True)
def _serve_fresh(settings):
    # Every call checks the active version, so each test sees its own training.
    from saleor_crm_plugin.recommendations.store import store

    settings.SALEOR_CRM = {**(getattr(settings, "SALEOR_CRM", {}) or {}), "recommendation_refresh_seconds": 0}
    store.invalidate()  # the process-wide store must not carry another test's refresh interval


RECORDS = {  # product id: (name, category, genre)
    1: ("Kind of Blue", "Vinyl", "Jazz"),
    2: ("A Love Supreme", "Vinyl", "Jazz"),
    3: ("Mingus Ah Um", "Vinyl", "Jazz"),
    4: ("Nevermind", "Vinyl", "Rock"),
    5: ("Ten", "Vinyl", "Rock"),
    6: ("Dirt", "Vinyl", "Rock"),
    7: ("Record cleaning kit", "Accessories", None),
    8: ("Coffee beans", "Pantry", None),
}


def record_catalog(events) -> list:
    """The record shop's product events: ``web`` lists everything; ``outlet`` does not list 6 and has 5 unpublished."""
    products = []
    for product_id, (name, category, genre) in RECORDS.items():
        listings = [{"channel": "web", "is_published": True}]
        if product_id != 6:
            listings.append({"channel": "outlet", "is_published": product_id != 5})
        products.append(events.product(
            "product.created", product_id=product_id, name=name, category=category, product_type=category,
            attributes={"Genre": [genre]} if genre else {}, description=f"{name}, {category.lower()}",
            listings=listings,
        ))
    return products


@pytest.fixture
def record_shop(events, ingest):
    """A record shop with two channels.

    * ``web`` lists everything; ``outlet`` does not list 6 and has 5 unpublished.
    * Jazz fans buy 1+2 (and 3), rock fans 4+5 (and 6); the cleaning kit goes with
      everything; coffee (Pantry) is bought again and again.
    """
    products = record_catalog(events)
    plans = {
        "jazz": [[1, 2, 7], [1, 2], [3, 8], [1, 2, 3]],
        "rock": [[4, 5, 7], [4, 5], [6, 8], [4, 5, 6]],
    }
    orders = []
    for taste, baskets in plans.items():
        for customer in range(4):
            for number, basket in enumerate(baskets):
                at = T0 + days(7 * number + customer)
                lines = [events.line(product_id=p, name=RECORDS[p][0], category=RECORDS[p][1]) for p in basket]
                lines.append(events.line(product_id=8, name="Coffee beans", category="Pantry"))
                orders.append(events.order(
                    email=f"{taste}{customer}@example.com", user_id=(100 if taste == "jazz" else 200) + customer,
                    at=at, channel="web", lines=lines,
                ))
    ingest(*products, *orders)
    return {"products": products}


def profile_id(user_id: int) -> int:
    from saleor_crm_plugin.models import CustomerProfile

    return CustomerProfile.objects.get(user_id=user_id).pk
