"""From transactions to the per-customer summary the models fit on (numpy only).

Purchases on the same day are one transaction (their values summed).
``x`` counts repeat purchase days, ``t_x`` is the time from the first to the
last purchase and ``T`` from the first purchase to the end of the
observation, in weeks; ``m_x`` is the mean value of the repeat purchases
(the first purchase is left out, as the Gamma-Gamma model expects).
``orders`` counts orders, not days: a row may stand for several orders of
one day (``summarize(..., orders=...)``), which the fallback projections and
the RFM frequency use, while the models see one transaction per day.
"""

from dataclasses import dataclass

import numpy as np

DAY = 86400.0


@dataclass
class CustomerSummary:
    customer: np.ndarray  # keys, sorted
    x: np.ndarray
    t_x: np.ndarray  # weeks
    T: np.ndarray  # weeks
    m_x: np.ndarray  # mean repeat-purchase value; 0 without repeats
    first: np.ndarray  # seconds since the epoch
    last: np.ndarray
    orders: np.ndarray  # orders in all (purchase days when rows carry no order count)
    monetary_total: np.ndarray


def summarize(customer, day, value, end_day: float, orders=None) -> CustomerSummary:
    """``customer`` integer keys; ``day`` in days (any origin, as ``end_day``); later purchases are ignored.

    ``orders``: how many orders each row stands for (default one), e.g. when
    rows are already per-day totals.
    """
    customer = np.asarray(customer, dtype=np.int64)
    day = np.floor(np.asarray(day, float)).astype(np.int64)
    value = np.asarray(value, float)
    count = np.ones(len(customer)) if orders is None else np.asarray(orders, float)
    keep = day <= end_day
    customer, day, value, count = customer[keep], day[keep], value[keep], count[keep]
    # One transaction per customer and day, sorted by customer then day.
    keys, inverse = np.unique(np.column_stack([customer, day]), axis=0, return_inverse=True)
    totals = np.bincount(np.asarray(inverse).ravel(), weights=value, minlength=len(keys))
    t_customer, t_day = keys[:, 0], keys[:, 1].astype(float)
    ids, first_index, counts = np.unique(t_customer, return_index=True, return_counts=True)
    last_index = first_index + counts - 1
    first_day, last_day = t_day[first_index], t_day[last_index]
    spent = np.add.reduceat(totals, first_index) if len(totals) else np.zeros(0)
    placed = np.bincount(np.searchsorted(ids, customer), weights=count, minlength=len(ids))
    x = counts - 1
    m_x = np.where(x > 0, (spent - (totals[first_index] if len(totals) else 0.0)) / np.maximum(x, 1), 0.0)
    return CustomerSummary(
        customer=ids, x=x.astype(float), t_x=(last_day - first_day) / 7.0, T=(end_day - first_day) / 7.0,
        m_x=m_x, first=first_day * DAY, last=last_day * DAY, orders=placed, monetary_total=spent,
    )
