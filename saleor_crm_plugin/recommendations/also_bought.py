"""*Customers who bought this also bought*: item-item co-purchase (no Django).

Two products are related when they appear in the same order. Raw co-counts
favour best-sellers (everything is bought with bananas), so the count is
normalised by both products' popularities with an *asymmetric cosine*:

    score(i → j) = co(i, j) / (n(i) ** a · n(j) ** (1 − a))

``a = 0.5`` is the plain cosine (symmetric, favours rare pairs); ``a = 1`` is
the conditional probability P(j | i) (leans to best-sellers). The default
``a = 0.75`` was picked by measurement (``bench/recs_quality.py`` prints the
sweep with each setting's hit rate and share of best-sellers).
"""

import numpy as np
import scipy.sparse as sp

from .baskets import Baskets
from .ranking import drop_diagonal, listed, top_n_per_row


class AlsoBought:
    def __init__(self, asymmetry: float = 0.75, min_support: int = 1, n_recommendations: int = 50):
        self.asymmetry = asymmetry
        self.min_support = min_support
        self.n_recommendations = n_recommendations

    def fit(self, baskets: Baskets, progress=None, co_purchases: sp.csr_matrix | None = None) -> "AlsoBought":
        """``co_purchases`` (``baskets.co_purchases()``) may be passed in when another model shares it."""
        co_all = baskets.co_purchases() if co_purchases is None else co_purchases
        counts = co_all.diagonal().astype(np.float32)
        safe = np.maximum(counts, 1.0)
        n = baskets.n_items
        self.item_ids_ = baskets.item_ids
        self.top_items_ = np.full((n, self.n_recommendations), -1, np.int32)
        self.top_scores_ = np.zeros((n, self.n_recommendations), np.float32)
        right = sp.diags(1.0 / safe ** (1 - self.asymmetry)).astype(np.float32)
        chunk = 2000
        for begin in range(0, n, chunk):
            end = min(n, begin + chunk)
            co = co_all[begin:end].astype(np.float32)
            drop_diagonal(co, begin)
            if self.min_support > 1:
                co.data[co.data < self.min_support] = 0
            left = sp.diags(1.0 / safe[begin:end] ** self.asymmetry).astype(np.float32)
            items, scores = top_n_per_row((left @ co @ right).tocsr(), self.n_recommendations)
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
