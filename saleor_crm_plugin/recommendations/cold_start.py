"""Serving before the first training: best-sellers from the folded orders, similarity from the catalog.

A shop that has just switched the CRM on has orders and products but no
trained bundle yet. Rather than answering nothing until the first training,
serving reads two things it can build in a moment:

* **best-sellers** per channel, from the counted orders the fold keeps, each
  order weighted like the trained ``Popularity`` (halving every
  ``HALF_LIFE_DAYS`` before the newest order). One SQL statement computes
  them; it reads at most the newest ``MAX_LINES`` order lines and keeps the
  best ``TOP_PER_CATEGORY`` products of every category in every channel, so
  its cost is bounded whatever the history.
* **content similarity** (``SimilarProducts.fit_content``: the TF-IDF part of
  *similar products*) over the product snapshots, when the catalog has at most
  ``CONTENT_MAX_PRODUCTS`` products; a larger catalog gets best-sellers of the
  product's category instead until its first training.

Both are memoised in the serving store and rebuilt at most once per refresh
interval, by the same stamp check as the trained bundle: best-sellers on the
``Served`` state (a new order gives a new one), content on the ``Catalog``
(only a product change refits it).
"""

import json
from dataclasses import dataclass

import numpy as np

from django.db import connection

from ..models.order import readable_counted_sql
from .popularity import HALF_LIFE_DAYS
from .similar import SimilarProducts

MAX_LINES = 20_000  # the newest order lines read: a bounded query (a shop this size trains by itself)
TOP_PER_CATEGORY = 100  # best-sellers kept per channel and category
CONTENT_MAX_PRODUCTS = 2_000  # larger catalogs wait for the training for "similar" (fit ≈ 0.3 s)

POPULAR_SQL = """
WITH lines AS MATERIALIZED (  -- the newest lines, read through the primary key whatever the statistics say
    SELECT order_id, product_id, category FROM crm_order_line
    WHERE id > (SELECT coalesce(max(id), 0) FROM crm_order_line) - %(max_lines)s AND product_id IS NOT NULL
), sold AS (  -- one row per order and product, as a basket counts a product once
    SELECT o.channel, o.placed_at, l.product_id, max(l.category) AS category
    FROM lines l JOIN crm_order o ON o.id = l.order_id
    WHERE o.id = ANY (ARRAY(SELECT DISTINCT order_id FROM lines))  -- their orders by key, never every order
      AND {readable}
    GROUP BY o.id, l.product_id
), scored AS (
    SELECT channel, product_id, max(category) AS line_category,
           -- the weight halves every half-life before the newest order (bounded below: no float underflow)
           -- (the newest order as a scalar subquery: computed once, never joined row by row)
           sum(power(2.0::float8, greatest(-1000.0, -extract(epoch FROM ((SELECT max(placed_at) FROM sold) - placed_at))
                                                       ::float8 / 86400.0 / %(half_life)s))) AS score
    FROM sold
    GROUP BY channel, product_id
), ranked AS (
    SELECT sc.channel, sc.product_id, sc.score,
           coalesce(nullif(p.category, ''), sc.line_category, '') AS category
    FROM scored sc LEFT JOIN crm_product_snapshot p ON p.product_id = sc.product_id
)
SELECT channel, product_id, score, category FROM (
    SELECT *, row_number() OVER (PARTITION BY channel, category ORDER BY score DESC, product_id) AS place
    FROM ranked
) best WHERE place <= %(top)s
"""
POPULAR_SQL = POPULAR_SQL.replace("{readable}", readable_counted_sql("o"))

CATALOG_TEXT_SQL = """
SELECT product_id, name, description_text, category, product_type, attributes::text
FROM crm_product_snapshot WHERE NOT is_deleted ORDER BY product_id LIMIT %s
"""


@dataclass(frozen=True)
class Ranking:
    """Products best first, with their scores and categories."""

    product_ids: np.ndarray
    scores: np.ndarray
    categories: np.ndarray

    def in_categories(self, wanted) -> "Ranking":
        keep = np.isin(self.categories, list(wanted))
        return Ranking(self.product_ids[keep], self.scores[keep], self.categories[keep])


class BestSellers:
    """Recency-weighted best-sellers per channel, from the folded orders."""

    def __init__(self, rows):
        by_channel: dict[str, dict[int, tuple[float, str]]] = {}
        overall: dict[int, list] = {}
        for channel, product_id, score, category in rows:
            by_channel.setdefault(channel, {})[product_id] = (float(score), category)
            entry = overall.setdefault(product_id, [0.0, category])
            entry[0] += float(score)
        self.rankings = {channel: _ranking(products) for channel, products in by_channel.items()}
        self.overall = _ranking({p: (score, category) for p, (score, category) in overall.items()})
        self.category_of = {p: category for p, (_, category) in overall.items()}

    @classmethod
    def load(cls) -> "BestSellers":
        """Run the one bounded query."""
        with connection.cursor() as cursor:
            cursor.execute(POPULAR_SQL, {"max_lines": MAX_LINES, "half_life": HALF_LIFE_DAYS, "top": TOP_PER_CATEGORY})
            return cls(cursor.fetchall())

    def for_channel(self, channel: str) -> Ranking:
        """The channel's ranking (every channel's together when it has no orders yet, as trained popularity does)."""
        return self.rankings.get(channel, self.overall)

    def knows(self, product_id: int) -> bool:
        return product_id in self.category_of


def _ranking(products: dict[int, tuple[float, str]]) -> Ranking:
    ids = np.fromiter(products, np.int64, len(products))
    scores = np.fromiter((products[p][0] for p in products), np.float64, len(products))
    order = np.lexsort((ids, -scores))
    categories = np.asarray([products[p][1] or "" for p in ids[order].tolist()], dtype=object)
    return Ranking(ids[order], scores[order], categories)


class CatalogContent:
    """Content similarity over the products the catalog describes (no orders needed)."""

    def __init__(self, product_ids: np.ndarray, model: SimilarProducts):
        self.product_ids = product_ids
        self.model = model
        self.row_of = {int(p): row for row, p in enumerate(product_ids.tolist())}
        self.columns = model.content_.T.tocsr()  # transposed once, not per request

    @classmethod
    def load(cls) -> "CatalogContent | None":
        """Fit on the snapshots; None when the catalog has more than ``CONTENT_MAX_PRODUCTS`` products."""
        with connection.cursor() as cursor:
            cursor.execute(CATALOG_TEXT_SQL, [CONTENT_MAX_PRODUCTS + 1])
            rows = cursor.fetchall()
        if len(rows) > CONTENT_MAX_PRODUCTS:
            return None
        products = [
            {"name": name, "description": description, "category": category, "product_type": product_type,
             "attributes": json.loads(attributes or "{}")}
            for _, name, description, category, product_type, attributes in rows
        ]
        ids = np.asarray([row[0] for row in rows], dtype=np.int64)
        return cls(ids, SimilarProducts().fit_content(products))

    def similar_to(self, product_id: int, n: int) -> tuple[np.ndarray, np.ndarray]:
        """Product ids most similar to ``product_id`` by content (never itself), best first."""
        row = self.row_of.get(product_id)
        content = self.model.content_
        if row is None or content.shape[1] == 0:
            return np.empty(0, np.int64), np.empty(0, np.float32)
        scores = (content[row] @ self.columns).toarray().ravel()
        scores[row] = 0.0
        candidates = np.flatnonzero(scores > 0)
        best = candidates[np.lexsort((candidates, -scores[candidates]))][:n]
        return self.product_ids[best], scores[best]
