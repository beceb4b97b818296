"""Offline evaluation protocols and metrics (no Django).

* **P-NBR-LAST** (next basket): each customer's newest order is the test
  basket (its distinct products); all earlier orders train; one top-``k`` list
  per customer, already-bought products allowed. Recall@k, NDCG@k (ideal DCG
  over ``min(|basket|, k)``), hit rate@k, and recall split into *repeat*
  (products the customer bought before) and *new* products.
* **P-AB-LOO** (also bought): for each test basket with at least two products
  known to the training data, one product is hidden (seeded); the others rank
  the catalog; hit rate@k and MRR@k of the hidden product.
* **P-AB-LOO, one-line orders**: the same test baskets, but the training
  orders are split into one-line orders (``one_line_orders``), as a shop
  whose customers buy one product at a time would record them.
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from .also_bought import AlsoBought
from .baselines import PersonalTopFrequency
from .baskets import Baskets
from .next_basket import NextBasketKNN
from .popularity import Popularity


@dataclass
class NextBasketScores:
    recall: np.ndarray  # one value per test customer
    ndcg: np.ndarray
    hit: np.ndarray
    repeat_recall: np.ndarray  # customers whose basket has repeat products
    new_recall: np.ndarray  # customers whose basket has new products

    def summary(self) -> dict:
        return {
            "recall": float(self.recall.mean()) if len(self.recall) else 0.0,
            "ndcg": float(self.ndcg.mean()) if len(self.ndcg) else 0.0,
            "hit_rate": float(self.hit.mean()) if len(self.hit) else 0.0,
            "recall_repeat": float(self.repeat_recall.mean()) if len(self.repeat_recall) else 0.0,
            "recall_new": float(self.new_recall.mean()) if len(self.new_recall) else 0.0,
            "customers": int(len(self.recall)),
        }


def next_basket_split(baskets: Baskets) -> tuple[Baskets, dict[int, np.ndarray]]:
    """P-NBR-LAST: (training baskets, {customer row: held-out item columns})."""
    return baskets.split_last()


def score_next_basket(
    recommend: Callable[[int, int], np.ndarray], train: Baskets, held: dict[int, np.ndarray], k: int = 10
) -> NextBasketScores:
    """Score ``recommend(customer_row, k) -> item columns`` on held-out baskets."""
    history = train.customers_by_items().tocsr()
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    recall, ndcg, hit, repeat, new = [], [], [], [], []
    for row, basket in held.items():
        ranked = np.asarray(recommend(row, k))[:k]
        hits = np.isin(ranked, basket)
        found = int(hits.sum())
        recall.append(found / len(basket))
        ndcg.append(float((hits * discounts[: len(hits)]).sum() / discounts[: min(len(basket), k)].sum()))
        hit.append(1.0 if found else 0.0)
        bought = history.indices[history.indptr[row] : history.indptr[row + 1]]
        seen = np.isin(basket, bought)
        if seen.any():
            repeat.append(np.isin(basket[seen], ranked).mean())
        if (~seen).any():
            new.append(np.isin(basket[~seen], ranked).mean())
    return NextBasketScores(*(np.asarray(v, dtype=np.float64) for v in (recall, ndcg, hit, repeat, new)))


def one_line_orders(baskets: Baskets, seconds_apart: float = 0.001) -> Baskets:
    """Every order split into one order per product, placed ``seconds_apart`` after each other.

    The split orders start at the original order's time, in product-column
    order, and keep its customer and channel; customer and item universes are
    unchanged, so customer rows and item columns mean the same as before.
    """
    coo = baskets.matrix.tocoo()  # row-major: customers, then time, then column
    lines = len(coo.row)
    position = np.arange(lines) - baskets.matrix.indptr[coo.row]
    return Baskets(
        customer_ids=baskets.customer_ids,
        item_ids=baskets.item_ids,
        matrix=sp.csr_matrix((np.ones(lines, np.float32), (np.arange(lines), coo.col)),
                             shape=(lines, baskets.n_items)),
        basket_customer=baskets.basket_customer[coo.row],
        basket_channel=baskets.basket_channel[coo.row],
        basket_time=baskets.basket_time[coo.row] + position * seconds_apart,
        channels=baskets.channels,
    )


def leave_one_out_cases(
    held: dict[int, np.ndarray], known: np.ndarray, seed: int = 0
) -> list[tuple[np.ndarray, int]]:
    """P-AB-LOO cases: (the other known products, the hidden one) per basket with ≥ 2 known products."""
    rng = np.random.default_rng(seed)
    cases = []
    for row in sorted(held):
        items = np.sort(held[row][known[held[row]]])
        if len(items) < 2:
            continue
        hidden = int(items[rng.integers(len(items))])
        cases.append((items[items != hidden], hidden))
    return cases


def score_leave_one_out(
    rank: Callable[[np.ndarray, int], np.ndarray], cases: list[tuple[np.ndarray, int]], k: int = 10
) -> dict:
    """Hit rate@k and MRR@k of ``rank(context item columns, k) -> item columns``."""
    hits = np.zeros(len(cases))
    reciprocal = np.zeros(len(cases))
    for index, (context, hidden) in enumerate(cases):
        ranked = np.asarray(rank(context, k))[:k]
        position = np.flatnonzero(ranked == hidden)
        if len(position):
            hits[index] = 1.0
            reciprocal[index] = 1.0 / (position[0] + 1)
    return {"hit_rate": float(hits.mean()) if len(cases) else 0.0,
            "mrr": float(reciprocal.mean()) if len(cases) else 0.0, "cases": len(cases)}


def paired_bootstrap(a: np.ndarray, b: np.ndarray, samples: int = 10_000, seed: int = 0) -> dict:
    """Mean of ``a − b`` over paired users with a 95% bootstrap interval and P(difference ≤ 0)."""
    diff = np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64)
    if len(diff) == 0:
        return {"mean": 0.0, "low": 0.0, "high": 0.0, "p_not_better": 1.0}
    rng = np.random.default_rng(seed)
    means = np.empty(samples)
    for start in range(0, samples, 1000):
        stop = min(samples, start + 1000)
        picks = rng.integers(0, len(diff), size=(stop - start, len(diff)))
        means[start:stop] = diff[picks].mean(axis=1)
    low, high = np.percentile(means, [2.5, 97.5])
    return {"mean": float(diff.mean()), "low": float(low), "high": float(high),
            "p_not_better": float((means <= 0).mean())}


def evaluate_models(baskets: Baskets, params: dict | None = None, max_customers: int = 5000, seed: int = 0) -> dict:
    """Both protocols on (a sample of) a shop's own history, stored with each trained version.

    Customers with at least two orders are sampled (up to ``max_customers``),
    their newest orders held out, and the for-you and also-bought models,
    with the same parameters as production, are scored against popularity and
    personal top-frequency.
    """
    params = params or {}
    counts = np.diff(baskets.customer_start())
    eligible = np.flatnonzero(counts >= 2)
    if len(eligible) == 0:
        return {"customers": 0, "note": "no customer has two orders yet"}
    if len(eligible) > max_customers:
        eligible = np.sort(np.random.default_rng(seed).choice(eligible, max_customers, replace=False))
    sample = baskets.subset(np.isin(baskets.basket_customer, eligible))
    train, held = sample.split_last()
    popularity = Popularity(**params.get("popularity", {})).fit(train)
    for_you = NextBasketKNN(**params.get("for_you", {})).fit(train)
    top_frequency = PersonalTopFrequency().fit(train)
    also = AlsoBought(**params.get("also_bought", {})).fit(train)

    def padded(recommend):
        def ranked(row, k):
            items = list(recommend(row, k)[0])
            return np.array(items + list(popularity.recommend(k, exclude=items)[0]))[:k]
        return ranked

    ours = score_next_basket(padded(for_you.recommend), train, held)
    baseline = score_next_basket(lambda r, k: top_frequency.recommend(r, k)[0], train, held)
    known = np.asarray(train.matrix.sum(axis=0)).ravel() > 0
    cases = leave_one_out_cases(held, known, seed=seed)
    return {
        "protocol": "P-NBR-LAST / P-AB-LOO, k=10",
        "customers": int(len(held)),
        "for_you": ours.summary(),
        "personal_top_frequency": baseline.summary(),
        "also_bought": score_leave_one_out(lambda ctx, k: also.for_items(ctx, k)[0], cases),
        "popularity": score_leave_one_out(lambda ctx, k: popularity.recommend(k, exclude=ctx)[0], cases),
    }
