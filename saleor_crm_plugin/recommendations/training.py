"""Training: CRM orders and product snapshots → a new recommendation version.

``train_models`` reads the facts the fold keeps (orders that count, their
lines, product snapshots), fits every model (``bundle.RecommenderBundle``),
evaluates them on the shop's own history, stores the bundle and swaps it in
atomically. One training runs at a time (a PostgreSQL advisory lock).
"""

import json
import logging
import secrets
import time
import traceback
from collections.abc import Callable
from datetime import datetime, timezone as dt_timezone

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from ..models.order import readable_counted_sql
from ..error_codes import RecommendationErrorCode
from ..errors import CRMError
from ..models import RecommendationModel
from ..profiles.metrics import facts_to_skip
from ..db import array_columns_by_range, exclusive
from .auto_train import TRAINING_LOCK
from .baskets import Baskets
from .bundle import RecommenderBundle
from .evaluation import evaluate_models
from .store import store

logger = logging.getLogger(__name__)

KEEP_BUNDLES = 3
LINE_CHUNK = 1_000_000

LINES_SQL = """
SELECT coalesce(array_agg(o.profile_id), '{}'), coalesce(array_agg(o.id), '{}'),
       coalesce(array_agg(l.product_id), '{}'),
       coalesce(array_agg(extract(epoch FROM o.placed_at)::float8), '{}'),
       coalesce(array_agg(array_position(%s::text[], o.channel::text)), '{}')
FROM crm_order_line l JOIN crm_order o ON o.id = l.order_id
WHERE NOT (o.profile_id = ANY(%s)) AND l.id >= %s AND l.id < %s AND l.product_id IS NOT NULL
  AND o.profile_id IS NOT NULL AND {readable}
"""

LINES_SQL = LINES_SQL.replace("{readable}", readable_counted_sql("o"))

PRODUCTS_SQL = """
SELECT product_id, name, description_text, category, product_type, attributes::text
FROM crm_product_snapshot WHERE NOT is_deleted OR product_id = ANY(%s)
"""

LINE_NAMES_SQL = """
SELECT DISTINCT ON (product_id) product_id, product_name, category
FROM crm_order_line WHERE product_id = ANY(%s) ORDER BY product_id, id DESC
"""


class TrainingError(CRMError):
    """A training that could not start or finish; ``code`` is a ``RecommendationErrorCode``."""


def load_training_data(
    progress: Callable[[str, int, int], None] | None = None,
) -> tuple[Baskets, list[dict], dict[str, int]]:
    """The shop's counted orders as baskets (customer = CRM profile), a description per product, and what was skipped.

    Orders dated outside ``date_range`` and set-aside profiles are left out;
    the third value counts them (``profiles.metrics.facts_to_skip``).
    """
    set_aside, skipped = facts_to_skip()
    if any(skipped.values()):
        logger.warning("CRM training data skipped: %s", skipped)

    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(min(id), 0), coalesce(max(id), -1) FROM crm_order_line")
        low, high = cursor.fetchone()
        cursor.execute("SELECT array_agg(DISTINCT channel) FROM crm_order")
        channels = [c for c in (cursor.fetchone()[0] or []) if c is not None]
    profile, order, product, placed, channel = array_columns_by_range(
        LINES_SQL, [channels, set_aside], low, high, LINE_CHUNK, 5,
        progress=(lambda done, total: progress("load orders", done, total)) if progress else None,
    )
    sold = np.unique(product.astype(np.int64))
    descriptions = {}
    with connection.cursor() as cursor:
        cursor.execute(PRODUCTS_SQL, [sold.tolist()])
        for product_id, name, description, category, product_type, attributes in cursor.fetchall():
            descriptions[product_id] = {
                "name": name, "description": description, "category": category,
                "product_type": product_type, "attributes": json.loads(attributes or "{}"),
            }
        missing = [int(p) for p in sold if int(p) not in descriptions]
        if missing:  # sold before the CRM saw the product: what the order lines say
            cursor.execute(LINE_NAMES_SQL, [missing])
            for product_id, name, category in cursor.fetchall():
                descriptions[product_id] = {"name": name, "category": category}
    item_ids = np.asarray(sorted(set(descriptions) | set(sold.tolist())), dtype=np.int64)
    baskets = Baskets.from_lines(
        profile.astype(np.int64), order.astype(np.int64), product.astype(np.int64), placed,
        channel=(channel.astype(np.int64) - 1).astype(np.int16),  # array_position is 1-based
        channels=tuple(channels) or ("",), item_ids=item_ids,
    )
    products = [descriptions.get(int(p), {}) for p in item_ids]
    return baskets, products, skipped


def train_models(
    *,
    params: dict | None = None,
    evaluate: bool = True,
    activate: bool = True,
    progress: Callable[[str, int, int], None] | None = None,
) -> RecommendationModel:
    """Train, evaluate, store and (by default) activate a new version; return its row.

    Raises ``TrainingError`` (code ``TRAINING_IN_PROGRESS``) when another
    training holds the lock. A failed training is recorded with status
    ``failed`` and its error; the active version stays.
    """
    with exclusive(TRAINING_LOCK) as taken:
        if not taken:
            raise TrainingError(RecommendationErrorCode.TRAINING_IN_PROGRESS, "Another training is running.")
        return _train(params or {}, evaluate, activate, progress)


def _train(params, evaluate, activate, progress) -> RecommendationModel:
    version = f"{timezone.now():%Y%m%dT%H%M%S}-{secrets.token_hex(3)}"
    record = RecommendationModel.objects.create(version=version, params=params)
    started = time.perf_counter()
    try:
        baskets, products, skipped = load_training_data(progress)
        bundle = RecommenderBundle.fit(baskets, products, params, progress)
        fit_seconds = time.perf_counter() - started
        bundle.info["version"] = version
        metrics = _stage("evaluate", progress, lambda: evaluate_models(baskets, params) if evaluate else {})
        blob = _stage("store", progress, bundle.to_bytes)
    except Exception as error:
        RecommendationModel.objects.filter(pk=record.pk).update(
            status=RecommendationModel.Status.FAILED,
            error="".join(traceback.format_exception_only(error)).strip()[:4000],
        )
        logger.exception("CRM recommendation training %s failed", version)
        raise
    newest = baskets.basket_time.max() if baskets.n_baskets else None
    record.bundle = blob
    record.bundle_bytes = len(blob)
    record.metrics = metrics
    record.counts = {k: bundle.info[k] for k in ("customers", "products", "orders", "lines")}
    record.params = {"requested": params, "fit_seconds": bundle.info["fit_seconds"], "skipped": skipped}
    record.training_seconds = round(fit_seconds, 3)
    record.trained_at = timezone.now()
    record.data_until = datetime.fromtimestamp(newest, dt_timezone.utc) if newest is not None else None
    record.status = RecommendationModel.Status.READY
    record.save()
    if activate:
        activate_version(record.version)
        record.refresh_from_db()
    _prune()
    logger.info("CRM recommendations %s trained in %.1fs: %s, skipped %s", version, fit_seconds, record.counts, skipped)
    return record


def _stage(name, progress, work):
    if progress:
        progress(name, 0, 1)
    result = work()
    if progress:
        progress(name, 1, 1)
    return result


def activate_version(version: str) -> None:
    """Make ``version`` the one served, in one transaction (readers never see two or none)."""
    with transaction.atomic():
        target = RecommendationModel.objects.select_for_update().filter(version=version).first()
        if target is None or target.status not in (
            RecommendationModel.Status.READY, RecommendationModel.Status.ACTIVE, RecommendationModel.Status.RETIRED
        ) or not target.bundle_bytes:
            raise TrainingError(RecommendationErrorCode.NOT_FOUND, f"No trained version {version!r}.")
        RecommendationModel.objects.select_for_update().filter(is_active=True).exclude(pk=target.pk).update(
            is_active=False, status=RecommendationModel.Status.RETIRED
        )
        RecommendationModel.objects.filter(pk=target.pk).update(
            is_active=True, status=RecommendationModel.Status.ACTIVE, activated_at=timezone.now()
        )
        transaction.on_commit(store.invalidate)  # this process serves the new version at once


def _prune() -> None:
    """Keep the bundles of the newest versions (to roll back to); older rows keep their metrics only."""
    keep = list(
        RecommendationModel.objects.exclude(bundle_bytes=0).order_by("-created_at").values_list("pk", flat=True)[
            :KEEP_BUNDLES
        ]
    )
    RecommendationModel.objects.exclude(pk__in=keep).exclude(is_active=True).exclude(bundle_bytes=0).update(
        bundle=None, bundle_bytes=0
    )
