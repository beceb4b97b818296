"""*Customers who bought this also bought*: item-item co-purchase (no Django).

Two products are related when the same customers buy them — "the CDs that
other customers who bought this CD usually buy" — not only when they share
an order: in a shop whose orders hold one line (fashion, electronics)
within-order counts find nothing. Pairs bought in one order say more, so
they count more:

    counts(i, j) = customers(i, j) + w · orders(i, j)

``customers(i, j)``: customers who bought both (distinct products per
customer, among each customer's ``recent_products`` = K most recent ones);
``orders(i, j)``: orders holding both. Raw counts favour best-sellers
(everything is bought with bananas), so they are normalised by both
products' counts with an *asymmetric cosine*:

    score(i → j) = counts(i, j) / (n(i) ** a · n(j) ** (1 − a))

with ``n(i) = counts(i, i)``: customers who bought i (within their K) plus
``w`` times the orders of two or more products holding i (an order of one
product pairs nothing; counting it would only push down products bought on
their own). ``a = 0.5`` is the plain cosine (symmetric, favours rare pairs);
``a = 1`` is P(j | i) (leans to best-sellers).

The bound: customer-level pairs cost Σ k² over customers buying k distinct
products — on ``bench/recs_scale.py``'s 10M lines 756M pairs in all, against
74M pairs within orders. Keeping each customer's K = 20 most recent products
bounds it by 400 pairs a customer (59M there: the fit takes 10 s against
3 s within orders only, memory unchanged as rows are counted 2,000 products
at a time). Recent products also say more about what goes together now than
a heavy buyer's purchases of years ago.

Defaults by measurement (``bench/recs_quality.py`` prints the sweeps, on the
Instacart sample and on the same orders split into one-line orders): K = 20
(10: 0.279 / 0.195 HR@10, 20: 0.293 / 0.216, 50: 0.250 / 0.148, all:
0.225 / 0.120), w = 0.5 (0: 0.211, 0.25: 0.304, 0.5: 0.293, 1: 0.279 on the
original, with the best MRR), a = 0.75 (higher a finds a little more, but
with ever more best-sellers). ``recent_products=0`` counts within one order
only (the model before customer-level counts).
"""

import numpy as np
import scipy.sparse as sp

from .baskets import Baskets
from .ranking import drop_diagonal, listed, top_n_per_row


class AlsoBought:
    def __init__(
        self,
        asymmetry: float = 0.75,
        min_support: int = 1,
        n_recommendations: int = 50,
        same_order_weight: float = 0.5,
        recent_products: int = 20,
    ):
        self.asymmetry = asymmetry
        self.min_support = min_support
        self.n_recommendations = n_recommendations
        self.same_order_weight = same_order_weight
        self.recent_products = recent_products  # 0: orders only (co-purchase within one order)

    def fit(self, baskets: Baskets, progress=None, co_purchases: sp.csr_matrix | None = None) -> "AlsoBought":
        """Fit the top lists; ``co_purchases`` (``baskets.co_purchases()``, the same-order counts) may be
        passed in when another model shares it."""
        same_order = baskets.co_purchases() if co_purchases is None else co_purchases
        n = baskets.n_items
        weight = self.same_order_weight if self.recent_products else 1.0
        counts = weight * same_order.diagonal().astype(np.float64)
        if self.recent_products:
            # One-product orders pair nothing: left in n(i) they would only push down what sells alone.
            single = baskets.matrix.indices[baskets.matrix.indptr[:-1][np.diff(baskets.matrix.indptr) == 1]]
            counts -= weight * np.bincount(single, minlength=n)
            customers = baskets.recent_products(self.recent_products)
            by_item = customers.T.tocsr()
            counts = counts + np.diff(by_item.indptr)  # n(i): customers who bought i, + weighted orders
        safe = np.maximum(counts, 1.0)
        self.item_ids_ = baskets.item_ids
        self.top_items_ = np.full((n, self.n_recommendations), -1, np.int32)
        self.top_scores_ = np.zeros((n, self.n_recommendations), np.float32)
        left_scale = (1.0 / safe**self.asymmetry).astype(np.float32)
        right_scale = (1.0 / safe ** (1 - self.asymmetry)).astype(np.float32)
        chunk = 2000
        for begin in range(0, n, chunk):
            end = min(n, begin + chunk)
            co = same_order[begin:end].astype(np.float32)
            if self.recent_products:
                co = (by_item[begin:end] @ customers + co * np.float32(weight)).tocsr()
            drop_diagonal(co, begin)
            if self.min_support > 1:
                co.data[co.data < self.min_support] = 0
            # Scaled in place: two products with diagonal matrices would copy the block twice.
            rows = np.repeat(np.arange(begin, end), np.diff(co.indptr))
            co.data *= left_scale[rows] * right_scale[co.indices]
            items, scores = top_n_per_row(co, self.n_recommendations)
            self.top_items_[begin:end] = items
            self.top_scores_[begin:end] = scores
            if progress:
                progress(end, n)
        return self

    def similar_items(self, item_col: int, n: int = 10) -> tuple[np.ndarray, np.ndarray]:
        return listed(self.top_items_, self.top_scores_, item_col, n)

    def for_items(self, item_cols, n: int = 10) -> tuple[np.ndarray, np.ndarray]:
        """Rank products for a set of products (a cart): summed scores, the set itself excluded."""
        return combine_lists(self.top_items_, self.top_scores_, item_cols, n)


def combine_lists(top_items: np.ndarray, top_scores: np.ndarray, item_cols, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Sum precomputed per-item lists over ``item_cols``; never return those items."""
    item_cols = np.asarray(item_cols, dtype=np.int64)
    if len(item_cols) == 0:
        return np.empty(0, np.int32), np.empty(0, np.float32)
    items = top_items[item_cols].ravel()
    scores = top_scores[item_cols].ravel()
    keep = (items >= 0) & ~np.isin(items, item_cols)
    unique, inverse = np.unique(items[keep], return_inverse=True)
    totals = np.bincount(inverse, weights=scores[keep], minlength=len(unique)).astype(np.float32)
    order = np.lexsort((unique, -totals))[:n]
    return unique[order].astype(np.int32), totals[order]
