"""RFM: recency, frequency and monetary scores and the named groups merchants use (numpy only).

Scores run 1–5 within one currency's customers (5 = most recent, most
orders, most spent), from percentile ranks so ties share a score. One order
is always F = 1, the least a customer can have: one-order customers are
often most of a shop, and ranked among ties they would share a middle score,
so "new", "promising" and "lost" would never be used.

A currency with fewer than ``SMALL_SHOP_CUSTOMERS`` customers is too small
to cut into fifths (in a fresh shop every customer ties and came out "needs
attention"), so R and F use absolute thresholds instead:

| score | 1 | 2 | 3 | 4 | 5 |
|---|---|---|---|---|---|
| R: days since the last order | > 180 | 91–180 | 31–90 | 15–30 | ≤ 14 |
| F: orders | 1 | 2 | 3 | 4–5 | ≥ 6 |

so a first order placed minutes ago is "new" and four recent orders are
"champions". M stays a rank among the shop's customers (spend has no
scale common to every currency and shop).

The group comes from the recency score R and the frequency score F, first
match wins:

| group | R | F | in plain words |
|---|---|---|---|
| champions | 5 | 4–5 | bought recently, buy often |
| loyal | 3–4 | 4–5 | buy often, less recently |
| potential loyalist | 4–5 | 2–3 | recent, a few orders: could become loyal |
| new | 5 | 1 | first order very recently |
| promising | 4 | 1 | one recent order |
| needs attention | 3 | 3 | average on both |
| about to sleep | 3 | 1–2 | slipping, few orders |
| can't lose | 1–2 | 5 | used to buy the most, not for a long time |
| at risk | 1–2 | 3–4 | bought often, not for a while |
| hibernating | 1–2 | 1–2 (not both 1) | few orders, long ago |
| lost | 1 | 1 | one order, longest ago |

M is reported and used by segments; the groups follow the widely used R×F
map, so they read the same as in other tools.
"""

import numpy as np
from scipy.stats import rankdata

GROUPS = ("champions", "loyal", "potential_loyalist", "new", "promising", "needs_attention", "about_to_sleep",
          "cant_lose", "at_risk", "hibernating", "lost")

RULES = (  # (group, R scores, F scores)
    ("champions", {5}, {4, 5}),
    ("loyal", {3, 4}, {4, 5}),
    ("potential_loyalist", {4, 5}, {2, 3}),
    ("new", {5}, {1}),
    ("promising", {4}, {1}),
    ("needs_attention", {3}, {3}),
    ("about_to_sleep", {3}, {1, 2}),
    ("cant_lose", {1, 2}, {5}),
    ("at_risk", {1, 2}, {3, 4}),
    ("lost", {1}, {1}),
    ("hibernating", {1, 2}, {1, 2}),
)


SMALL_SHOP_CUSTOMERS = 100  # below this, R and F use the absolute thresholds
RECENCY_DAYS = (14, 30, 90, 180)  # upper bounds of R = 5, 4, 3, 2
FREQUENCY_ORDERS = (2, 3, 4, 6)  # lower bounds of F = 2, 3, 4, 5


def quintile_scores(values: np.ndarray, higher_is_better: bool = True) -> np.ndarray:
    """1–5 by percentile rank (average rank for ties)."""
    values = np.asarray(values, float)
    if len(values) == 0:
        return np.zeros(0, np.int8)
    ranks = rankdata(values if higher_is_better else -values, method="average")
    return np.clip(np.ceil(ranks / len(values) * 5), 1, 5).astype(np.int8)


def threshold_scores(days_since_last: np.ndarray, orders: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """R and F from ``RECENCY_DAYS`` and ``FREQUENCY_ORDERS``, for shops too small for quintiles."""
    r = 5 - np.searchsorted(RECENCY_DAYS, np.asarray(days_since_last, float), side="left")
    f = 1 + np.searchsorted(FREQUENCY_ORDERS, np.asarray(orders, float), side="right")
    return r.astype(np.int8), f.astype(np.int8)


def rfm_scores(days_since_last: np.ndarray, orders: np.ndarray, revenue: np.ndarray,
               small_shop_customers: int = SMALL_SHOP_CUSTOMERS):
    """(R, F, M, group index into ``GROUPS``) for one currency's customers.

    Quintiles from ``small_shop_customers`` customers on, absolute R and F
    thresholds below (see the module docstring).
    """
    orders = np.asarray(orders, float)
    if len(orders) < small_shop_customers:
        r, f = threshold_scores(days_since_last, orders)
    else:
        r = quintile_scores(days_since_last, higher_is_better=False)
        f = np.where(orders <= 1, 1, quintile_scores(orders)).astype(np.int8)
    m = quintile_scores(revenue)
    group = np.full(len(r), -1, np.int8)
    for name, r_scores, f_scores in RULES:
        match = (group < 0) & np.isin(r, list(r_scores)) & np.isin(f, list(f_scores))
        group[match] = GROUPS.index(name)
    return r, f, m, group
