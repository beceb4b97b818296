"""Per-customer value and churn figures from the summary: model-based, or a stated fallback (numpy/scipy).

With at least ``MIN_REPEAT_CUSTOMERS`` customers who ordered more than once
(and fits that converge), BG/NBD and Gamma-Gamma give expected orders in the
next 30/90/365 days, P(alive), the expected next order date and a 12-month
CLV, discounted monthly. A smaller shop gets the *fallback*: each customer's
own order rate, shrunk towards the shop's average, with P(alive) from how
overdue the next order is compared to their usual gap. Every figure carries
``method`` ("bgnbd" or "fallback") and ``confidence`` ("high", "medium",
"low"), never a silent zero.
"""

from dataclasses import dataclass

import numpy as np

from .clv import BetaGeo, FitError, GammaGamma
from .summary import CustomerSummary

MIN_REPEAT_CUSTOMERS = 50
HORIZONS_DAYS = (30, 90, 365)
ANNUAL_DISCOUNT = 0.10


@dataclass
class CustomerValue:
    expected_orders: dict  # horizon days → array
    p_alive: np.ndarray
    churn_risk: np.ndarray  # 1 − P(alive)
    next_order_days: np.ndarray  # expected days from now to the next order (nan: none expected)
    expected_order_value: np.ndarray
    clv_12m: np.ndarray
    method: str
    confidence: np.ndarray  # per customer
    params: dict


MAX_NEXT_ORDER_DAYS = 3650.0  # beyond ten years: no next order expected


def customer_value(summary: CustomerSummary) -> CustomerValue:
    repeaters = int((summary.x > 0).sum())
    value = None
    if repeaters >= MIN_REPEAT_CUSTOMERS:
        try:
            value = _modelled(summary)
        except FitError:
            value = None
    value = value or _fallback(summary)
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


def _modelled(summary: CustomerSummary) -> CustomerValue:
    bg = BetaGeo().fit(summary.x, summary.t_x, summary.T)
    if bg.a_ <= 1:
        raise FitError("a ≤ 1: expected purchases are unbounded")
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
    return CustomerValue(expected, alive, 1 - alive, next_days, value, clv, "bgnbd",
                         _confidence(summary, True), params)


def _mean_value(summary: CustomerSummary) -> np.ndarray:
    mean = summary.monetary_total / np.maximum(summary.orders, 1)
    return np.where(summary.orders > 0, mean, 0.0)


def _fallback(summary: CustomerSummary) -> CustomerValue:
    """Few repeat customers: empirical rates, shrunk to the shop's, and an overdue-based P(alive)."""
    age_weeks = np.maximum(summary.T, 1.0)
    shop_rate = summary.x.sum() / age_weeks.sum() if age_weeks.sum() else 0.0
    prior_weeks = 26.0  # half a year of the shop's rate as a prior
    rate = (summary.x + shop_rate * prior_weeks) / (age_weeks + prior_weeks)  # repeat orders per week
    gap = np.where(summary.x > 0, summary.t_x / np.maximum(summary.x, 1), 1 / max(shop_rate, 1e-9))
    since_last = summary.T - summary.t_x
    alive = np.clip(np.exp(-np.maximum(since_last - gap, 0) / np.maximum(gap, 1.0)), 0.0, 1.0)
    expected = {h: rate * h / 7.0 * alive for h in HORIZONS_DAYS}
    value = _mean_value(summary)
    clv = value * _monthly_discounted(lambda weeks: rate * weeks * alive)
    next_days = np.where(alive > 0.05, np.maximum(gap - since_last, 0) * 7.0, np.nan)
    return CustomerValue(expected, alive, 1 - alive, next_days, value, clv, "fallback",
                         _confidence(summary, False),
                         {"fallback": {"shop_rate_per_week": float(shop_rate), "prior_weeks": prior_weeks,
                                       "min_repeat_customers": MIN_REPEAT_CUSTOMERS}})
