"""Training without waiting for the night: the first one, and one after every backfill.

The nightly training (``schedule.py``) keeps a trained shop fresh. Two
moments should not wait for it:

* **the first training**: once the shop has ``auto_train_min_orders`` counted
  orders and no trained model, ``request_first_training`` (called by the fold
  after it folded something) asks a worker to train. Later trainings are the
  nightly one's job.
* **after a backfill** (``events.backfill``): the imported history is worth
  training on now, model or not (``request_training``).

Both only *send* the training task by name (a worker trains, never a request)
and never more than once per ``REQUEST_INTERVAL_SECONDS`` across every process:
the moment of the last request is kept in the ``crm_setting`` row
``auto_train_requested_at`` and taken with one compare-and-set statement. While
a training runs (its advisory lock is held) nothing is sent. A failed training
is asked again after the interval. ``settings.SALEOR_CRM_AUTO_TRAIN = False``
switches both off (the tests do, apart from the ones about this).
"""

import time

from django.conf import settings
from django.db import connection

from ..config import get_setting
from ..models.order import counted_sql
from ..schedule import TRAIN_TASK, send_task

TRAINING_LOCK = 0x43524D5452  # "CRMTR": held by the running training (``training.train_models``)
REQUEST_INTERVAL_SECONDS = 900
MARKER = "auto_train_requested_at"

# -1 once a model is active (then nothing else is read); else the counted
# orders up to the threshold (LIMIT: never a full count), and whether a
# training holds its lock in this database (pg_locks lists every database's; a
# bigint advisory key shows as classid/objid).
FIRST_TRAINING_SQL = f"""
SELECT CASE WHEN EXISTS (SELECT 1 FROM crm_recommendation_model WHERE is_active) THEN -1
            ELSE (SELECT count(*) FROM (SELECT 1 FROM crm_order o WHERE {counted_sql("o")} LIMIT %s) enough) END,
       EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND classid = %s AND objid = %s AND objsubid = 1
               AND database = (SELECT oid FROM pg_database WHERE datname = current_database()))
"""  # noqa: S608 - counted_sql is a constant condition
TAKE_MARKER_SQL = """
INSERT INTO crm_setting (name, value) VALUES (%s, %s)
ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value WHERE crm_setting.value::bigint <= %s
RETURNING 1
"""


def _enabled() -> bool:
    return bool(getattr(settings, "SALEOR_CRM_AUTO_TRAIN", True))


def request_first_training() -> bool:
    """Send the training task if the shop has enough orders and no model yet; True when sent.

    Cheap enough to call after every fold: one small query (two while a
    request is due).
    """
    if not _enabled():
        return False
    threshold = get_setting("auto_train_min_orders")
    with connection.cursor() as cursor:
        cursor.execute(FIRST_TRAINING_SQL, [threshold, TRAINING_LOCK >> 32, TRAINING_LOCK & 0xFFFFFFFF])
        orders, training = cursor.fetchone()
    if orders < threshold or training:  # -1: trained already
        return False
    return _send("first training", interval=REQUEST_INTERVAL_SECONDS)


def request_training(reason: str) -> bool:
    """Send the training task now (e.g. after a backfill), unless switched off; True when sent."""
    if not _enabled():
        return False
    return _send(reason, interval=0)


def _send(reason: str, *, interval: float) -> bool:
    now = int(time.time())
    with connection.cursor() as cursor:
        cursor.execute(TAKE_MARKER_SQL, [MARKER, str(now), now - interval])
        if cursor.fetchone() is None:
            return False  # another process asked within the interval
    # Never raises: a broker outage must not break the fold (the next request comes after the interval).
    return send_task(TRAIN_TASK, reason)
