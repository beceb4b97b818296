"""RFM: recency, frequency and monetary quintile scores and the named groups merchants use (numpy only).

Scores run 1–5 within one currency's customers (5 = most recent, most
orders, most spent), from percentile ranks so ties share a score. The group
comes from the recency score R and the frequency score F, first match wins:

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


def quintile_scores(values: np.ndarray, higher_is_better: bool = True) -> np.ndarray:
    """1–5 by percentile rank (average rank for ties)."""
    values = np.asarray(values, float)
    if len(values) == 0:
        return np.zeros(0, np.int8)
    ranks = rankdata(values if higher_is_better else -values, method="average")
    return np.clip(np.ceil(ranks / len(values) * 5), 1, 5).astype(np.int8)


def rfm_scores(days_since_last: np.ndarray, orders: np.ndarray, revenue: np.ndarray):
    """(R, F, M, group index into ``GROUPS``) for one currency's customers."""
    r = quintile_scores(days_since_last, higher_is_better=False)
    f = quintile_scores(orders)
    m = quintile_scores(revenue)
    group = np.full(len(r), -1, np.int8)
    for name, r_scores, f_scores in RULES:
        match = (group < 0) & np.isin(r, list(r_scores)) & np.isin(f, list(f_scores))
        group[match] = GROUPS.index(name)
    return r, f, m, group
