"""Per-customer value and churn figures from the summary: model-based, or a stated fallback (numpy/scipy).

With at least ``MIN_REPEAT_CUSTOMERS`` customers who ordered more than once
(and fits that converge), BG/NBD and Gamma-Gamma give expected orders in the
next 30/90/365 days, P(alive), the expected next order date and a 12-month
CLV, discounted monthly. A smaller shop gets the *fallback*: each customer's
own order rate, shrunk towards the shop's average, with P(alive) from how
overdue the next order is compared to their usual gap. Every figure carries
``method`` ("bgnbd" or "fallback") and ``confidence`` ("high", "medium",
"low"), never a silent zero.

**Churn risk** is the probability of *no order within the churn horizon*
(``churn_horizon_days``, default ``CHURN_HORIZON_DAYS`` = 90 days, recorded
with every result and in ``params``):

* BG/NBD: P(X(t) = 0 | x, t_x, T) = P(alive) · ((α + T)/(α + T + t))^(r + x)
  + 1 − P(alive) (``BetaGeo.probability_no_purchase``). A customer without a
  repeat purchase has P(alive) = 1 under BG/NBD, yet a real risk of not
  buying, which grows the longer they have been silent; 1 − P(alive) would
  call every one of them safe.
* Fallback: 1 − P(alive) · (1 − exp(−rate · t)), a Poisson clock at the
  customer's shrunk rate while alive.

P(alive) keeps its own meaning: the probability the customer has not
dropped out.
"""

from dataclasses import dataclass

import numpy as np

from .clv import BetaGeo, FitError, GammaGamma
from .summary import CustomerSummary

MIN_REPEAT_CUSTOMERS = 50
HORIZONS_DAYS = (30, 90, 365)
CHURN_HORIZON_DAYS = 90.0  # churn risk = P(no order within this many days)
ANNUAL_DISCOUNT = 0.10
PRIOR_WEEKS = 26.0  # fallback: half a year of the shop's rate as each customer's prior


@dataclass
class CustomerValue:
    expected_orders: dict  # horizon days → array
    p_alive: np.ndarray
    churn_risk: np.ndarray  # P(no order within churn_horizon_days)
    next_order_days: np.ndarray  # expected days from now to the next order (nan: none expected)
    expected_order_value: np.ndarray
    clv_12m: np.ndarray
    method: str
    confidence: np.ndarray  # per customer
    params: dict
    churn_horizon_days: float = CHURN_HORIZON_DAYS


MAX_NEXT_ORDER_DAYS = 3650.0  # beyond ten years: no next order expected


def customer_value(summary: CustomerSummary, churn_horizon_days: float = CHURN_HORIZON_DAYS) -> CustomerValue:
    """Value and churn figures for one currency's customers; churn risk over ``churn_horizon_days``."""
    if not churn_horizon_days > 0:
        raise ValueError(f"churn_horizon_days must be positive, not {churn_horizon_days!r}")
    repeaters = int((summary.x > 0).sum())
    value = None
    if repeaters >= MIN_REPEAT_CUSTOMERS:
        try:
            value = _modelled(summary, churn_horizon_days / 7.0)
        except FitError:
            value = None
    value = value or _fallback(summary, churn_horizon_days / 7.0)
    value.churn_horizon_days = float(churn_horizon_days)
    value.params["churn_horizon_days"] = float(churn_horizon_days)
    value.next_order_days = np.where(value.next_order_days <= MAX_NEXT_ORDER_DAYS, value.next_order_days, np.nan)
    return value


def _monthly_discounted(expected_cumulative) -> np.ndarray:
    """Σ over 12 months of (orders in month m) / (1 + d)^(m) with d the monthly rate."""
    monthly = (1 + ANNUAL_DISCOUNT) ** (1 / 12) - 1
    total, previous = 0.0, 0.0
    for month in range(1, 13):
        current = expected_cumulative(month * 30.4375 / 7)
        total = total + (current - previous) / (1 + monthly) ** month
        previous = current
    return total


def _confidence(summary: CustomerSummary, modelled: bool) -> np.ndarray:
    if not modelled:
        return np.where(summary.x >= 3, "medium", "low")
    return np.where(summary.x >= 2, "high", "medium")


def _modelled(summary: CustomerSummary, churn_weeks: float) -> CustomerValue:
    bg = BetaGeo().fit(summary.x, summary.t_x, summary.T)
    # E[X(t)] is finite for any a > 0 at a finite t (it only grows without bound as t → ∞ when a ≤ 1), but its
    # closed form divides by a − 1 and needs the hypergeometric's c = a + b − 1 > 0.
    if abs(bg.a_ - 1) < 1e-6 or bg.a_ + bg.b_ <= 1:
        raise FitError(f"a = {bg.a_:.6g}, b = {bg.b_:.6g}: the expected-purchases formula does not hold")
    gg = None
    try:
        gg = GammaGamma().fit(summary.x, summary.m_x)
        if gg.q_ <= 1:
            gg = None
    except FitError:
        gg = None
    x, t_x, T = summary.x, summary.t_x, summary.T
    expected = {h: bg.expected_purchases(h / 7.0, x, t_x, T) for h in HORIZONS_DAYS}
    alive = bg.probability_alive(x, t_x, T)
    rate = bg.posterior_rate(x, T)  # per week while alive
    next_days = np.where(alive > 0.05, 7.0 / rate, np.nan)
    value = gg.expected_value(x, summary.m_x) if gg else _mean_value(summary)
    clv = value * _monthly_discounted(lambda weeks: bg.expected_purchases(weeks, x, t_x, T))
    params = {"bgnbd": {"r": bg.r_, "alpha": bg.alpha_, "a": bg.a_, "b": bg.b_, "ll": bg.log_likelihood_}}
    if gg:
        params["gamma_gamma"] = {"p": gg.p_, "q": gg.q_, "gamma": gg.gamma_, "ll": gg.log_likelihood_}
    churn = bg.probability_no_purchase(churn_weeks, x, t_x, T)
    return CustomerValue(expected, alive, churn, next_days, value, clv, "bgnbd", _confidence(summary, True), params)


def _mean_value(summary: CustomerSummary) -> np.ndarray:
    mean = summary.monetary_total / np.maximum(summary.orders, 1)
    return np.where(summary.orders > 0, mean, 0.0)


def _fallback(summary: CustomerSummary, churn_weeks: float) -> CustomerValue:
    """Few repeat customers: empirical rates, shrunk to the shop's, and an overdue-based P(alive).

    Rates count orders, so several orders of one day raise a customer's
    projection. Exposure is at least ``PRIOR_WEEKS``: a shop younger than
    that cannot tell a burst of orders from a habit, so its first figures are
    deliberately conservative instead of extrapolating minutes to months.
    Without a single repeat order in the currency there is no rate to
    project: expected orders 0, churn risk 1, confidence "low".
    """
    repeats = np.maximum(summary.orders - 1, 0)  # orders after the first, same-day ones included
    exposure = np.maximum(summary.T, PRIOR_WEEKS)
    shop_rate = float(repeats.sum() / exposure.sum()) if len(exposure) else 0.0
    rate = (repeats + shop_rate * PRIOR_WEEKS) / (exposure + PRIOR_WEEKS)  # orders per week while alive
    # The usual gap: the customer's own between purchase days, else the expected one (never longer than the
    # shop's, or a one-order customer's shrinking rate would make them less overdue the longer they are silent).
    expected_gap = 1 / np.maximum(np.maximum(rate, shop_rate), 1e-9)
    gap = np.where(summary.x > 0, summary.t_x / np.maximum(summary.x, 1), expected_gap)
    since_last = summary.T - summary.t_x
    alive = np.clip(np.exp(-np.maximum(since_last - gap, 0) / np.maximum(gap, 1.0)), 0.0, 1.0)
    expected = {h: rate * h / 7.0 * alive for h in HORIZONS_DAYS}
    churn = 1.0 - alive * -np.expm1(-rate * churn_weeks)
    value = _mean_value(summary)
    clv = value * _monthly_discounted(lambda weeks: rate * weeks * alive)
    next_days = np.where(alive > 0.05, np.maximum(gap - since_last, 0) * 7.0, np.nan)
    return CustomerValue(expected, alive, churn, next_days, value, clv, "fallback", _confidence(summary, False),
                         {"fallback": {"shop_rate_per_week": shop_rate, "prior_weeks": PRIOR_WEEKS,
                                       "min_repeat_customers": MIN_REPEAT_CUSTOMERS}})
