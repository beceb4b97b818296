"""Baselines the evaluation compares against (no Django).

* ``PersonalTopFrequency``: a customer's most often bought products (ties to
  the most recent), padded with global best-sellers — the strongest simple
  next-basket baseline for groceries.
* ``ItemCosine``: plain item-item cosine over co-purchase; for a customer,
  the summed similarity to everything they bought.
Global popularity is ``popularity.Popularity``.
"""

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize

from .baskets import Baskets
from .ranking import drop_diagonal, top_n_per_row


class PersonalTopFrequency:
    def __init__(self, n_recommendations: int = 10):
        self.n_recommendations = n_recommendations

    def fit(self, baskets: Baskets) -> "PersonalTopFrequency":
        counts = baskets.customers_by_items()
        # Recency as a tie-breaker: a fraction below one purchase, larger for newer baskets.
        stamp = (np.arange(baskets.n_baskets, dtype=np.float64) + 1) / (baskets.n_baskets + 2)
        scores = counts.astype(np.float64) + _row_max_stamp(baskets, stamp)
        popular = np.asarray(baskets.matrix.sum(axis=0)).ravel()
        self.popular_ = np.lexsort((np.arange(baskets.n_items), -popular))[: self.n_recommendations]
        self.top_items_, self.top_scores_ = top_n_per_row(scores.tocsr(), self.n_recommendations)
        return self

    def recommend(self, customer_row: int, n: int = 10, exclude=()) -> tuple[np.ndarray, np.ndarray]:
        items = self.top_items_[customer_row]
        items = items[items >= 0]
        padding = self.popular_[~np.isin(self.popular_, items)]
        ranked = np.concatenate([items, padding])[:n]
        return ranked, np.linspace(1.0, 0.5, len(ranked))


def _row_max_stamp(baskets: Baskets, stamp: np.ndarray) -> sp.csr_matrix:
    """Customer × item: the stamp of the newest basket holding the item (< 1)."""
    coo = baskets.matrix.tocoo()
    key = baskets.basket_customer[coo.row].astype(np.int64) * baskets.n_items + coo.col
    order = np.lexsort((stamp[coo.row], key))
    last = np.ones(len(order), bool)
    last[:-1] = key[order][1:] != key[order][:-1]
    picked = order[last]
    return sp.csr_matrix(
        (stamp[coo.row][picked], (baskets.basket_customer[coo.row][picked], coo.col[picked])),
        shape=(baskets.n_customers, baskets.n_items),
    )


class ItemCosine:
    """Plain item-item cosine; ``for_items`` ranks by summed similarity to a set of items."""

    def fit(self, baskets: Baskets) -> "ItemCosine":
        unit = normalize(baskets.matrix.T.tocsr(), norm="l2", axis=1)
        similarity = (unit @ unit.T).tocsr()
        drop_diagonal(similarity, 0)
        self.similarity_ = similarity
        self.customer_items_ = baskets.customers_by_items()
        return self

    def for_items(self, item_cols, n: int = 10) -> tuple[np.ndarray, np.ndarray]:
        scores = np.asarray(self.similarity_[np.asarray(item_cols)].sum(axis=0)).ravel()
        scores[np.asarray(item_cols)] = 0
        return _best(scores, n)

    def recommend(self, customer_row: int, n: int = 10, exclude=()) -> tuple[np.ndarray, np.ndarray]:
        history = self.customer_items_[customer_row]
        scores = np.asarray((history @ self.similarity_).todense()).ravel()
        return _best(scores, n)


def _best(scores: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    order = np.lexsort((np.arange(len(scores)), -scores))[:n]
    order = order[scores[order] > 0]
    return order, scores[order]
