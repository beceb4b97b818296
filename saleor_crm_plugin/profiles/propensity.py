"""The nightly response propensity: train on the CRM's tables, score every customer, keep the model.

``compute_propensity`` (Celery beat nightly, ``crm_propensity`` now):

1. **Load** the orders that count, one row per customer and day, with the
   day's value in multiples of its currency's median order (so one model
   serves a shop selling in several currencies).
2. **Train** at the cut ``now − propensity_horizon_days``: each customer
   who had bought by then, with the inputs known at the cut — recency,
   frequency, value, tenure, gaps and BG/NBD outputs
   (``analytics.propensity``) plus the CRM's own: mails sent, opened and
   clicked in the year before, orders placed within the attribution window
   after a click, whether subscribed and for how long, and the share of
   their items in their favourite category; the label is "ordered in the
   horizon since". ``fit_propensity`` cross-fits and calibrates (or falls
   back to an honest prior with ``confidence="low"``).
3. **Score** today's inputs with the model it returns; customers who never
   ordered get the rate at which such customers ordered in the last
   horizon (``method="base_rate"``, ``confidence="low"``, no reasons).
4. **Write** every score in one transaction (readers never see half a
   night), and the run with its metrics and the fitted model (joblib bytes
   in ``PropensityRun.model``: every worker scores with the same one).

A shop where nobody had ordered by the cut has nothing to learn from: the run
is ``skipped`` with the reason and the scores stay as they were. Orders
without prices (a total of 0) count as purchases of no value.

Progress is recorded on the run row (``stage``) and passed to ``progress``.
A run that dies leaves the previous scores in place; the next one starts
over (the training is one fit) and marks the dead one failed.
"""

import io
import json
import logging
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

import joblib
import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from ..analytics.propensity import fit_propensity, purchase_history, score
from ..config import get_setting
from ..models import CustomerPropensity, PropensityRun
from ..models.order import counted_sql, readable_counted_sql
from .metrics import facts_to_skip

logger = logging.getLogger(__name__)

DAY_SECONDS = 86400
MAIL_LOOKBACK_DAYS = 365
STALE_RUN = timedelta(hours=6)  # a run "running" longer than this died
# The CRM's own inputs, in the order the model takes them.
MAIL_FEATURES = ("mails_sent", "mails_opened", "mails_clicked", "orders_after_click", "subscribed",
                 "consent_weeks", "top_category_share")
LABELS = {
    "recency_weeks": "weeks since the last order",
    "frequency": "repeat orders",
    "monetary": "value per order",
    "tenure_weeks": "weeks since the first order",
    "last_gap_weeks": "gap between the last two orders",
    "mails_sent": "mails received in the last year",
    "mails_opened": "mails opened in the last year",
    "mails_clicked": "mails clicked in the last year",
    "orders_after_click": "orders after clicking a mail",
    "subscribed": "subscribed to marketing mail",
    "consent_weeks": "weeks subscribed",
    "top_category_share": "loyalty to a favourite category",
}

DAILY_SQL = f"""
WITH medians AS (
    SELECT currency, percentile_cont(0.5) WITHIN GROUP (ORDER BY total_gross) AS median
    FROM crm_order o WHERE {readable_counted_sql("o")} AND total_gross > 0 GROUP BY currency
)
SELECT coalesce(array_agg(profile_id), '{{}}'), coalesce(array_agg(day), '{{}}'), coalesce(array_agg(value), '{{}}')
FROM (
    SELECT o.profile_id, floor(extract(epoch FROM o.placed_at) / {DAY_SECONDS})::bigint AS day,
           sum(CASE WHEN m.median > 0 THEN o.total_gross / m.median ELSE 0 END)::float8 AS value
    FROM crm_order o LEFT JOIN medians m ON m.currency = o.currency
    WHERE {readable_counted_sql("o")} AND NOT (o.profile_id = ANY(%(skip)s)) AND o.placed_at < %(now)s
    GROUP BY 1, 2
    ORDER BY 1, 2
) daily
"""

# One row per customer with any mail, consent or line before %(at)s; columns as MAIL_FEATURES.
FEATURES_SQL = f"""
WITH mails AS (
    SELECT d.profile_id, count(*) AS sent,
           count(*) FILTER (WHERE EXISTS (SELECT 1 FROM crm_delivery_event e WHERE e.delivery_id = d.id
                                          AND e.kind = 'opened' AND e.occurred_at < %(at)s)) AS opened,
           count(*) FILTER (WHERE EXISTS (SELECT 1 FROM crm_delivery_event e WHERE e.delivery_id = d.id
                                          AND e.kind = 'clicked' AND e.occurred_at < %(at)s)) AS clicked
    FROM crm_delivery d
    WHERE d.sent_at >= %(since)s AND d.sent_at < %(at)s
    GROUP BY d.profile_id
), after_click AS (
    SELECT o.profile_id, count(DISTINCT o.id) AS orders
    FROM crm_delivery_event e JOIN crm_delivery d ON d.id = e.delivery_id
    JOIN crm_order o ON o.profile_id = d.profile_id AND o.placed_at >= e.occurred_at
     AND o.placed_at < e.occurred_at + make_interval(days => %(window)s)
    WHERE e.kind = 'clicked' AND e.occurred_at >= %(since)s AND e.occurred_at < %(at)s AND o.placed_at < %(at)s
      AND {counted_sql("o")}
    GROUP BY o.profile_id
), consent AS (
    SELECT profile_id, bool_or(state = 'subscribed') AS subscribed, min(first_subscribed) AS first_subscribed
    FROM (
        SELECT DISTINCT ON (r.profile_id, r.channel) r.profile_id, r.state,
               min(r.at) FILTER (WHERE r.state = 'subscribed') OVER (PARTITION BY r.profile_id, r.channel)
                   AS first_subscribed
        FROM crm_consent_record r WHERE r.at < %(at)s
        ORDER BY r.profile_id, r.channel, r.at DESC, r.id DESC
    ) latest
    GROUP BY profile_id
), categories AS (
    SELECT profile_id, max(quantity)::float8 / nullif(sum(quantity), 0) AS top_share
    FROM (
        SELECT o.profile_id, l.category, sum(greatest(l.quantity, 0)) AS quantity
        FROM crm_order o JOIN crm_order_line l ON l.order_id = o.id
        WHERE o.placed_at < %(at)s AND {counted_sql("o")} AND l.category <> ''
        GROUP BY 1, 2
    ) by_category
    GROUP BY profile_id
)
SELECT p.profile_id, coalesce(m.sent, 0), coalesce(m.opened, 0), coalesce(m.clicked, 0), coalesce(a.orders, 0),
       coalesce(c.subscribed, FALSE)::int,
       CASE WHEN c.subscribed THEN extract(epoch FROM %(at)s - c.first_subscribed) / 604800.0 ELSE 0 END,
       coalesce(k.top_share, 0)
FROM (SELECT profile_id FROM mails UNION SELECT profile_id FROM after_click UNION SELECT profile_id FROM consent
      UNION SELECT profile_id FROM categories) p
LEFT JOIN mails m ON m.profile_id = p.profile_id
LEFT JOIN after_click a ON a.profile_id = p.profile_id
LEFT JOIN consent c ON c.profile_id = p.profile_id
LEFT JOIN categories k ON k.profile_id = p.profile_id
"""

# Customers with no order that counts before the cut: how many of them ordered in the horizon since.
NEVER_BOUGHT_RATE_SQL = f"""
SELECT count(*), count(*) FILTER (WHERE EXISTS (
    SELECT 1 FROM crm_order o WHERE o.profile_id = p.id AND o.placed_at >= %(cut)s AND o.placed_at < %(now)s
      AND {counted_sql("o")}))
FROM crm_customer_profile p
WHERE p.erased_at IS NULL AND p.created_at < %(cut)s
  AND NOT EXISTS (SELECT 1 FROM crm_order o WHERE o.profile_id = p.id AND o.placed_at < %(cut)s
                  AND {counted_sql("o")})
"""

# Today's customers who never ordered, scored with that rate.
NEVER_BOUGHT_INSERT_SQL = f"""
INSERT INTO crm_customer_propensity (profile_id, probability, confidence, method, reasons, run_id, scored_at)
SELECT p.id, %(rate)s, 'low', 'base_rate', '[]'::jsonb, %(run)s, %(now)s
FROM crm_customer_profile p
WHERE p.erased_at IS NULL
  AND NOT EXISTS (SELECT 1 FROM crm_customer_propensity cp WHERE cp.profile_id = p.id)
  AND NOT EXISTS (SELECT 1 FROM crm_order o WHERE o.profile_id = p.id AND {counted_sql("o")})
"""

COLUMNS = ("profile_id", "probability", "confidence", "method", "reasons", "run_id", "scored_at")


def _daily(now: datetime, skip: list[int]):
    with connection.cursor() as cursor:
        cursor.execute(DAILY_SQL, {"skip": skip, "now": now})
        customer, day, value = cursor.fetchone()
    return np.asarray(customer, np.int64), np.asarray(day, np.int64), np.asarray(value, float)


def mail_features(customers: np.ndarray, at: datetime) -> dict[str, np.ndarray]:
    """``MAIL_FEATURES`` of ``customers`` (sorted profile ids) as known at ``at``; absent values are 0."""
    with connection.cursor() as cursor:
        cursor.execute(FEATURES_SQL, {"at": at, "since": at - timedelta(days=MAIL_LOOKBACK_DAYS),
                                      "window": get_setting("attribution_window_days")})
        rows = cursor.fetchall()
    columns = {name: np.zeros(len(customers)) for name in MAIL_FEATURES}
    if not rows:
        return columns
    table = np.asarray(rows, dtype=float)
    ids = table[:, 0].astype(np.int64)
    place = np.searchsorted(customers, ids)
    found = (place < len(customers)) & (customers[np.minimum(place, len(customers) - 1)] == ids)
    for index, name in enumerate(MAIL_FEATURES):
        columns[name][place[found]] = table[found, index + 1]
    return columns


def _history(customer, day, value, end_day: int, at: datetime):
    history = purchase_history(customer, day, value, end_day=end_day)
    return replace(history, extra=mail_features(history.customer, at))  # validated again


def _stage(run: PropensityRun, stage: str, progress, done: int, total: int = 4) -> None:
    PropensityRun.objects.filter(pk=run.pk).update(stage=stage)
    logger.info("CRM propensity run %s: %s", run.pk, stage)
    if progress:
        progress("propensity", done, total)


def _finish(run: PropensityRun, state: str, **fields) -> PropensityRun:
    """Record how the run ended; the run as stored (without the model's bytes: ``latest_model`` reads them)."""
    PropensityRun.objects.filter(pk=run.pk).update(state=state, finished_at=timezone.now(), **fields)
    return PropensityRun.objects.defer("model").get(pk=run.pk)


def compute_propensity(now: datetime | None = None,
                       progress: Callable[[str, int, int], None] | None = None) -> PropensityRun:
    """Train the propensity model at ``now − horizon`` and score every customer at ``now`` (see the module)."""
    now = now or timezone.now()
    horizon_days = get_setting("propensity_horizon_days")
    cut = now - timedelta(days=horizon_days)
    PropensityRun.objects.filter(state=PropensityRun.State.RUNNING, started_at__lt=now - STALE_RUN).update(
        state=PropensityRun.State.FAILED, error="stopped before it finished", finished_at=now)
    run = PropensityRun.objects.create(started_at=now, cut=cut, horizon_days=horizon_days,
                                       features=list(MAIL_FEATURES))
    try:
        return _compute(run, now, cut, horizon_days, progress)
    except Exception as error:
        _finish(run, PropensityRun.State.FAILED, error=str(error)[:1000])
        raise


def _compute(run, now, cut, horizon_days, progress) -> PropensityRun:
    started = time.perf_counter()
    _stage(run, "loading", progress, 0)
    set_aside, _ = facts_to_skip()
    customer, day, value = _daily(now, set_aside)
    now_day = int(np.floor(now.timestamp() / DAY_SECONDS))
    cut_day = int(np.floor(cut.timestamp() / DAY_SECONDS))
    before = day <= cut_day
    training = _history(customer[before], day[before], value[before], cut_day, cut)
    if len(training.customer) == 0:
        reason = (f"no customer had ordered by {cut:%Y-%m-%d}, {horizon_days} days ago: nothing to learn from yet; "
                  "the previous scores (if any) are kept")
        logger.info("CRM propensity run %s skipped: %s", run.pk, reason)
        return _finish(run, PropensityRun.State.SKIPPED, stage="done", error=reason)
    labels = np.isin(training.customer, np.unique(customer[(day > cut_day) & (day <= now_day)]))

    _stage(run, "training", progress, 1)
    result = fit_propensity(training, labels, horizon_days / 7.0)

    _stage(run, "scoring", progress, 2)
    today = _history(customer, day, value, now_day, now)
    scores = score(result.model, today)
    with connection.cursor() as cursor:
        cursor.execute(NEVER_BOUGHT_RATE_SQL, {"cut": cut, "now": now})
        never, never_bought = cursor.fetchone()
    never_rate = never_bought / never if never else 0.0

    _stage(run, "writing", progress, 3)
    buffer = io.StringIO()
    for i, profile_id in enumerate(today.customer.tolist()):
        reasons = [{"name": name, "value": round(value_, 4)} for name, value_ in scores.reasons(i)
                   if round(value_, 4)]  # an input at the median moves nothing: no reason
        buffer.write(f"{profile_id}\t{scores.probability[i]:.6f}\t{scores.confidence}\t{scores.method}\t"
                     f"{json.dumps(reasons)}\t{run.pk}\t{now.isoformat()}\n")
    model_bytes = io.BytesIO()
    joblib.dump(result.model, model_bytes, compress=3)
    metrics = json.loads(json.dumps(result.metrics, default=float))  # numpy numbers as JSON
    metrics.update(never_bought_customers=never, never_bought_rate=never_rate,
                   seconds=round(time.perf_counter() - started, 2))
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM crm_customer_propensity")
            with cursor.connection.cursor().copy(f"COPY crm_customer_propensity ({', '.join(COLUMNS)}) FROM STDIN") \
                    as copy:
                copy.write(buffer.getvalue())
            cursor.execute("DELETE FROM crm_customer_propensity cp USING crm_customer_profile p "
                           "WHERE p.id = cp.profile_id AND p.erased_at IS NOT NULL")
            cursor.execute(NEVER_BOUGHT_INSERT_SQL, {"rate": never_rate, "run": run.pk, "now": now})
            cursor.execute("SELECT count(*) FROM crm_customer_propensity")
            scored = cursor.fetchone()[0]
        run = _finish(run, PropensityRun.State.DONE, stage="done", method=result.method,
                      confidence=result.confidence, customers=len(training.customer), scored=scored,
                      metrics=metrics, model=model_bytes.getvalue())
    if progress:
        progress("propensity", 4, 4)
    logger.info("CRM propensity run %s: %s (%s) on %s customers, %s scored in %.1f s", run.pk, run.method,
                run.confidence, run.customers, run.scored, time.perf_counter() - started)
    return run


def latest_model(run: PropensityRun | None = None):
    """The fitted ``PropensityModel`` of ``run`` (default: the latest finished one), or None."""
    run = run or PropensityRun.objects.filter(state=PropensityRun.State.DONE).order_by("-pk").first()
    if run is None or not run.model:
        return None
    return joblib.load(io.BytesIO(bytes(run.model)))
