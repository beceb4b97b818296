"""The serving store: the active bundle and the catalog, held in process memory.

Every process keeps the active ``RecommenderBundle`` and what the catalog says
about availability. At most every ``recommendation_refresh_seconds`` one small
query reads the active version and a catalog stamp; when either changed, the
new state is loaded and swapped in with a single assignment. Before the
first training the newest order counts too: what serves then
(``cold_start``) is built from the orders and memoised on the ``Served``
object, so a new order gives a new one. A call works on
the ``Served`` object it took at its start, so a model swap mid-call never
mixes two versions, and a version is only ever read from a committed row.
"""

import gc
import json
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
from django.db import connection
from django.utils import timezone

from ..config import get_setting
from ..models.product import available_channels
from .bundle import RecommenderBundle

STAMP_SQL = """
SELECT (SELECT version FROM crm_recommendation_model WHERE is_active),
       (SELECT count(*)::text || '/' || coalesce(max(source_updated_at)::text, '') FROM crm_product_snapshot),
       (SELECT coalesce(max(id), 0) FROM crm_order)
"""
CATALOG_CHANGES_SQL = (
    "SELECT product_id, category, is_deleted, channel_listings::text, source_updated_at FROM crm_product_snapshot "
    "WHERE source_updated_at >= %s"
)
ACTIVE_BUNDLE_SQL = "SELECT version, bundle FROM crm_recommendation_model WHERE is_active"
CATALOG_SQL = (
    "SELECT product_id, category, is_deleted, channel_listings::text, source_updated_at FROM crm_product_snapshot"
)
CATALOG_MAX_AGE = 300.0  # publication dates pass with time, even when no snapshot changes


@dataclass
class Catalog:
    """Which products each channel offers now, and the category of every product."""

    stamp: str
    built_at: float
    channels_of: dict[int, frozenset]  # product id → channels where it is available
    category_of: dict[int, str]
    newest: datetime | None = None  # the newest snapshot applied
    cache: dict = field(default_factory=dict)  # what is built from this catalog alone (untrained content similarity)

    @classmethod
    def load(cls, stamp: str, previous: "Catalog | None" = None) -> "Catalog":
        """The catalog now: only the snapshots changed since ``previous`` when that is enough.

        A product update changes the stamp; re-reading every snapshot for it
        would cost each server process a full scan per change. A full read still
        happens every ``CATALOG_MAX_AGE`` seconds (publication dates pass) and
        whenever the delta does not account for the new product count.
        """
        now = timezone.now()
        fresh = previous is not None and previous.newest is not None \
            and time.monotonic() - previous.built_at < CATALOG_MAX_AGE
        if fresh:
            channels_of, category_of = dict(previous.channels_of), dict(previous.category_of)
            newest = cls._apply(CATALOG_CHANGES_SQL, [previous.newest], channels_of, category_of, now)
            if str(len(channels_of)) == stamp.split("/", 1)[0]:
                return cls(stamp=stamp, built_at=previous.built_at, channels_of=channels_of,
                           category_of=category_of, newest=max(filter(None, (newest, previous.newest))))
        channels_of, category_of = {}, {}
        newest = cls._apply(CATALOG_SQL, [], channels_of, category_of, now)
        return cls(stamp=stamp, built_at=time.monotonic(), channels_of=channels_of, category_of=category_of,
                   newest=newest)

    @staticmethod
    def _apply(sql, params, channels_of, category_of, now) -> datetime | None:
        newest = None
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            for product_id, category, deleted, listings, updated_at in cursor.fetchall():
                category_of[product_id] = category or ""
                channels_of[product_id] = available_channels(json.loads(listings or "[]"), deleted, now)
                newest = updated_at if newest is None or updated_at > newest else newest
        return newest

    def knows(self, product_id: int) -> bool:
        return product_id in self.channels_of

    def available(self, product_id: int, channel: str) -> bool:
        return channel in self.channels_of.get(product_id, ())

    def mask(self, item_ids: np.ndarray, channel: str) -> np.ndarray:
        """Availability in ``channel`` of each bundle item column."""
        return np.fromiter((channel in self.channels_of.get(int(p), ()) for p in item_ids), bool, len(item_ids))


@dataclass
class Served:
    version: str | None
    bundle: RecommenderBundle | None
    catalog: Catalog
    orders: int = 0  # the newest CRM order when this state was taken (rebuilds the cold start)
    cache: dict = field(default_factory=dict)  # per-version memo (channel rankings, new-product vectors, cold start)


class ServingStore:
    def __init__(self):
        self._served: Served | None = None
        self._checked_at = float("-inf")
        self._lock = threading.Lock()
        self._refresh = 0.0

    def current(self) -> Served:
        """The state to serve from; refreshed when the version or the catalog changed."""
        served = self._served
        if served is not None and time.monotonic() - self._checked_at < self._refresh:
            return served
        with self._lock:
            served = self._served
            if served is not None and time.monotonic() - self._checked_at < self._refresh:
                return served
            self._refresh = float(get_setting("recommendation_refresh_seconds"))
            with connection.cursor() as cursor:
                cursor.execute(STAMP_SQL)
                version, stamp, orders = cursor.fetchone()
            if served is not None and served.version == version:
                bundle = served.bundle
            else:  # one statement: the version and its bundle come from the same committed row
                version, bundle = self._load_active()
            previous = served.catalog if served else None
            catalog = previous if previous and previous.stamp == stamp and \
                time.monotonic() - previous.built_at < CATALOG_MAX_AGE else Catalog.load(stamp, previous)
            if served is not None and served.bundle is bundle is None and served.catalog is catalog \
                    and served.orders != orders:  # untrained: new orders make new best-sellers
                self._served = Served(version=version, bundle=None, catalog=catalog, orders=orders)
            elif served is None or served.bundle is not bundle or served.catalog is not catalog:
                self._served = Served(version=version, bundle=bundle, catalog=catalog, orders=orders)
                # The catalog and bundle live until the next swap: keep them (and what the process
                # loaded before) out of the garbage collector's full scans, which otherwise cost
                # tens of milliseconds on an unlucky request.
                gc.collect()
                gc.freeze()
            self._checked_at = time.monotonic()
            return self._served

    def invalidate(self) -> None:
        """Check for a new version on the next call (after a swap in this process)."""
        self._checked_at = float("-inf")

    @staticmethod
    def _load_active() -> tuple[str | None, RecommenderBundle | None]:
        with connection.cursor() as cursor:
            cursor.execute(ACTIVE_BUNDLE_SQL)
            row = cursor.fetchone()
        if row is None or row[1] is None:
            return None, None
        return row[0], RecommenderBundle.from_bytes(bytes(row[1]))


store = ServingStore()
