import pytest
from django.db import connection, transaction

from saleor_crm_plugin.events.outbox import record
from saleor_crm_plugin.models import CRMEvent, CRMSetting

pytestmark = pytest.mark.django_db


def test_a_failed_insert_rolls_back_only_the_outbox_row(events):
    # given: a shop transaction that already changed something
    with transaction.atomic():
        CRMSetting.objects.create(name="shop-change", value="kept")
        bad = events.order(email="ann@example.com", lines=[events.line(name="NUL \x00 byte")])

        # when: the outbox insert fails inside it
        with pytest.raises(Exception, match="(?i)unicode|0x00|nul"):
            record(bad, source="plugin")

        # then: the transaction is still usable and commits the shop's change
        good = events.order(order_id="fine", email="ann@example.com")
        assert record(good, source="plugin") is True
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")

    assert CRMSetting.objects.filter(name="shop-change").exists()
    assert list(CRMEvent.objects.values_list("payload__order_id", flat=True)) == ["fine"]


def test_duplicate_inside_a_transaction_reports_false(events):
    event = events.order(email="ann@example.com")
    with transaction.atomic():
        assert record(event) is True
        assert record(event) is False
    assert CRMEvent.objects.count() == 1
