"""A customer with an order, a guest with an order, and the loopback SMTP server of the campaign tests."""

import pytest

from tests.campaigns.conftest import smtp_server  # noqa: F401 - fixture: a real aiosmtpd server on loopback
from tests.conftest import T0, days

ANN = {"user_id": 5, "email": "ann@example.com"}
GUEST = "gus@example.com"


@pytest.fixture
def shop(events, ingest):
    """Ann (an account) with two orders in two categories, and a guest with one; returns the CRM orders."""
    from saleor_crm_plugin.models import CRMOrder

    ingest(
        events.customer(user_id=ANN["user_id"], email=ANN["email"], first_name="Ann", last_name="Lee"),
        events.order(order_id="ann-1", at=T0 + days(1), lines=[events.line(product_id=1, category="Vinyl"),
                                                               events.line(product_id=2, category="Turntables")],
                     **ANN),
        events.order(order_id="ann-2", at=T0 + days(5), lines=[events.line(product_id=1, category="Vinyl")], **ANN),
        events.order(order_id="gus-1", email=GUEST, at=T0 + days(2), lines=[events.line(product_id=3,
                                                                                         category="Tapes")]),
    )
    return {o.order_id: o for o in CRMOrder.objects.all()}


@pytest.fixture
def mail_settings(settings):
    """Mail through anymail's test backend (outbox inspectable), with links and a sender."""
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    settings.SALEOR_CRM = {**getattr(settings, "SALEOR_CRM", {}), "public_url": "https://shop.example.com",
                           "from_email": "help@shop.example.com", "shop_name": "Record Shop"}
    return settings
