import threading

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


@pytest.mark.django_db(transaction=True)
def test_with_eager_celery_the_fold_runs_in_the_committing_thread(events, settings):
    # given: Celery without a broker (as Saleor runs with no CELERY_BROKER_URL), folding on commit
    from crm_host.celery import app
    import saleor_crm_plugin.tasks  # noqa: F401 - registers the fold task by name

    settings.SALEOR_CRM_FOLD_ON_COMMIT = True
    app.conf.task_always_eager = True
    try:
        # when
        with transaction.atomic():
            record(events.order(email="ann@example.com"), source="plugin")
    finally:
        app.conf.task_always_eager = False
    # then: folded by the time the commit returns, by no other thread (one would race the next writes)
    assert list(CRMEvent.objects.values_list("status", flat=True)) == ["processed"]
    assert not [thread for thread in threading.enumerate() if thread.name.startswith("crm-fold-publisher")]
