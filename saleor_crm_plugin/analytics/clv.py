"""Lifetime value: BG/NBD for purchase frequency and P(alive), Gamma-Gamma for spend (numpy/scipy only).

* **BG/NBD** (Fader, Hardie & Lee, 2005): while alive a customer buys at a
  Poisson rate λ ~ Gamma(r, α); after each purchase they drop out with
  probability p ~ Beta(a, b). Fitted by maximum likelihood on each customer's
  repeat purchases ``x``, time of the last purchase ``t_x`` and age ``T``
  (time from the first purchase to the end of the data), all in weeks.
* **Gamma-Gamma** (Fader & Hardie, 2013): the value of a transaction varies
  around a customer's mean, which varies across customers; fitted on the mean
  repeat-purchase value ``m_x`` of customers with ``x > 0``.

Checked against the published CDNOW results (``tests/analytics``): r =
0.2426, α = 4.4136, a = 0.7929, b = 2.4259, LL −9582.43; p = 6.25, q = 3.74,
γ = 15.44.
"""

from dataclasses import dataclass

import numpy as np
from scipy import optimize
from scipy.special import betaln, gammaln, hyp2f1

WEEK = 7.0


class FitError(ValueError):
    """The data cannot support the model (too few customers or repeat purchases)."""


def _minimize(negative_ll, start: np.ndarray) -> optimize.OptimizeResult:
    """Maximise over log-parameters (all parameters are positive)."""
    result = optimize.minimize(negative_ll, np.log(start), method="BFGS", options={"gtol": 1e-9, "maxiter": 2000})
    if not np.all(np.isfinite(result.x)):
        raise FitError(f"the fit did not converge: {result.message}")
    return result


@dataclass
class BetaGeo:
    """BG/NBD. ``fit(x, t_x, T)`` with times in weeks; parameters ``r_, alpha_, a_, b_``."""

    r_: float = np.nan
    alpha_: float = np.nan
    a_: float = np.nan
    b_: float = np.nan
    log_likelihood_: float = np.nan

    @staticmethod
    def log_likelihood(params, x, t_x, T, weights=None) -> float:
        r, alpha, a, b = params
        x, t_x, T = np.asarray(x, float), np.asarray(t_x, float), np.asarray(T, float)
        a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
        a2 = betaln(a, b + x) - betaln(a, b) - (r + x) * np.log(alpha + T)
        repeat = x > 0
        a3 = np.full_like(x, -np.inf)
        xr = x[repeat]
        a3[repeat] = betaln(a + 1, b + xr - 1) - betaln(a, b) - (r + xr) * np.log(alpha + t_x[repeat])
        terms = a1 + np.logaddexp(a2, a3)
        return float(np.sum(terms if weights is None else terms * weights))

    def fit(self, x, t_x, T) -> "BetaGeo":
        x, t_x, T = (np.asarray(v, float) for v in (x, t_x, T))
        if len(x) < 2 or not np.any(x > 0):
            raise FitError("BG/NBD needs customers with repeat purchases")
        # Identical customers contribute identical terms: fit on the distinct rows, weighted.
        rows, weights = np.unique(np.column_stack([x, t_x, T]), axis=0, return_counts=True)
        ux, ut, uT = rows.T

        def negative(log_params):
            return -self.log_likelihood(np.exp(log_params), ux, ut, uT, weights)

        result = _minimize(negative, np.array([1.0, max(float(np.mean(T)), 1.0), 1.0, 1.0]))
        self.r_, self.alpha_, self.a_, self.b_ = np.exp(result.x)
        self.log_likelihood_ = -float(result.fun)
        return self

    @property
    def params_(self) -> tuple[float, float, float, float]:
        return self.r_, self.alpha_, self.a_, self.b_

    def probability_alive(self, x, t_x, T) -> np.ndarray:
        """P(alive | x, t_x, T); 1 without a repeat purchase, since BG/NBD drops customers out only after one."""
        r, alpha, a, b = self.params_
        x, t_x, T = (np.asarray(v, float) for v in (x, t_x, T))
        with np.errstate(divide="ignore", invalid="ignore"):
            odds = np.where(x > 0, a / np.maximum(b + x - 1, 1e-12) * ((alpha + T) / (alpha + t_x)) ** (r + x), 0.0)
        return 1.0 / (1.0 + odds)

    def expected_purchases(self, t, x, t_x, T) -> np.ndarray:
        """Expected purchases in the next ``t`` weeks, given each customer's history."""
        r, alpha, a, b = self.params_
        x, t_x, T = (np.asarray(v, float) for v in (x, t_x, T))
        t = np.asarray(t, float)
        z = t / (alpha + T + t)
        hyper = hyp2f1(r + x, b + x, a + b + x - 1, z)
        body = 1.0 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyper
        return (a + b + x - 1) / (a - 1) * body * self.probability_alive(x, t_x, T)

    def probability_no_purchase(self, t, x, t_x, T) -> np.ndarray:
        """P(X(t) = 0 | x, t_x, T): no purchase in the next ``t`` weeks, given each customer's history.

        A customer buys nothing in ``t`` either because they have dropped out
        (1 − P(alive)) or because, alive, their Poisson clock does not tick:
        given alive, λ | x, T ~ Gamma(r + x, α + T), whose Poisson zero
        probability over ``t`` is ((α + T) / (α + T + t))^(r + x). Dropping out
        only happens right after a purchase, so no further term is needed:
        P(X(t) = 0) = P(alive) · ((α + T) / (α + T + t))^(r + x) + 1 − P(alive).
        """
        r, alpha = self.r_, self.alpha_
        x, t_x, T = (np.asarray(v, float) for v in (x, t_x, T))
        alive = self.probability_alive(x, t_x, T)
        silent_while_alive = ((alpha + T) / (alpha + T + np.asarray(t, float))) ** (r + x)
        return alive * silent_while_alive + 1.0 - alive

    def posterior_rate(self, x, T) -> np.ndarray:
        """E[λ | x, T] per week (the purchase rate while alive)."""
        return (self.r_ + np.asarray(x, float)) / (self.alpha_ + np.asarray(T, float))


@dataclass
class GammaGamma:
    """Gamma-Gamma spend model. ``fit(x, m_x)`` on customers with ``x > 0``; parameters ``p_, q_, gamma_``."""

    p_: float = np.nan
    q_: float = np.nan
    gamma_: float = np.nan
    log_likelihood_: float = np.nan

    @staticmethod
    def log_likelihood(params, x, m_x) -> float:
        p, q, gamma = params
        x, m_x = np.asarray(x, float), np.asarray(m_x, float)
        px = p * x
        return float(np.sum(
            gammaln(px + q) - gammaln(px) - gammaln(q) + q * np.log(gamma)
            + (px - 1) * np.log(m_x) + px * np.log(x) - (px + q) * np.log(gamma + m_x * x)
        ))

    def fit(self, x, m_x) -> "GammaGamma":
        x, m_x = np.asarray(x, float), np.asarray(m_x, float)
        keep = (x > 0) & (m_x > 0)
        if keep.sum() < 2:
            raise FitError("Gamma-Gamma needs customers with repeat purchases of positive value")
        x, m_x = x[keep], m_x[keep]
        mean = float(m_x.mean())

        def negative(log_params):
            return -self.log_likelihood(np.exp(log_params), x, m_x)

        result = _minimize(negative, np.array([1.0, 2.0, mean]))
        self.p_, self.q_, self.gamma_ = np.exp(result.x)
        self.log_likelihood_ = -float(result.fun)
        return self

    def expected_value(self, x, m_x) -> np.ndarray:
        """E[spend per transaction | x, m_x]; the population mean for customers without repeat purchases."""
        p, q, gamma = self.p_, self.q_, self.gamma_
        x, m_x = np.asarray(x, float), np.asarray(m_x, float)
        population = p * gamma / (q - 1)
        weight = p * x / (p * x + q - 1)
        return np.where(x > 0, (1 - weight) * population + weight * np.nan_to_num(m_x), population)
