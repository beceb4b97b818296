"""The holdout comparison's statistics, checked against simulations with a known effect: the 95% intervals cover
the true difference and the true relative lift about 95% of the time, a null effect is called significant about 5%
of the time, and small samples are said to be too small."""

import numpy as np
import pytest

from saleor_crm_plugin.analytics.lift import GroupStats, compare

REPLICATIONS = 2000


def stats(values: np.ndarray) -> GroupStats:
    return GroupStats(len(values), int(np.count_nonzero(values)), float(values.sum()), float((values ** 2).sum()))


def simulate(draw, n_mailed: int, n_holdout: int, seed: int):
    rng = np.random.default_rng(seed)
    for _ in range(REPLICATIONS):
        yield compare(stats(draw(rng, n_mailed, True)), stats(draw(rng, n_holdout, False)))


def poisson_orders(base: float, effect: float):
    """Orders per recipient: Poisson(base) in the holdout, Poisson(base × (1 + effect)) when mailed."""
    return lambda rng, n, mailed: rng.poisson(base * (1 + effect) if mailed else base, n).astype(float)


def spend(buy_rate: float, effect: float):
    """Revenue per recipient: buys with ``buy_rate`` (× (1 + effect) when mailed), a heavy-tailed amount if so."""
    def draw(rng, n, mailed):
        buys = rng.random(n) < buy_rate * ((1 + effect) if mailed else 1)
        return np.where(buys, rng.lognormal(3.5, 0.8, n), 0.0)
    return draw


def coverage(results, attribute: str, truth: float) -> float:
    intervals = [getattr(r, attribute) for r in results]
    return float(np.mean([i.low <= truth <= i.high for i in intervals]))


@pytest.mark.parametrize("n_mailed, n_holdout", [(9000, 1000), (2000, 2000)])
def test_the_interval_of_orders_per_recipient_covers_a_known_effect_95_percent_of_the_time(n_mailed, n_holdout):
    base, effect = 0.2, 0.25  # the mail brings 25% more orders: +0.05 per recipient
    results = list(simulate(poisson_orders(base, effect), n_mailed, n_holdout, seed=n_holdout))
    assert 0.93 <= coverage(results, "difference", base * effect) <= 0.97
    assert 0.93 <= coverage(results, "relative", effect) <= 0.97
    estimates = np.array([r.difference.estimate for r in results])
    assert abs(estimates.mean() - base * effect) < 0.003  # unbiased


def test_the_interval_of_revenue_per_recipient_covers_a_known_effect_with_heavy_tailed_amounts():
    buy_rate, effect = 0.08, 0.3
    mean_amount = np.exp(3.5 + 0.8 ** 2 / 2)
    truth = buy_rate * effect * mean_amount
    results = list(simulate(spend(buy_rate, effect), 9000, 1000, seed=7))
    assert 0.92 <= coverage(results, "difference", truth) <= 0.97
    assert 0.92 <= coverage(results, "relative", effect) <= 0.97


def test_no_effect_is_called_significant_about_five_percent_of_the_time():
    results = list(simulate(poisson_orders(0.2, 0.0), 4500, 500, seed=11))
    called = np.mean([r.verdict in ("positive", "negative") for r in results])
    assert 0.03 <= called <= 0.07
    assert {r.verdict for r in results} <= {"positive", "negative", "no_clear_effect"}


def test_a_large_true_effect_is_found_and_its_sign_is_right():
    results = list(simulate(poisson_orders(0.2, 0.5), 9000, 1000, seed=3))
    assert np.mean([r.verdict == "positive" for r in results]) > 0.95
    results = list(simulate(poisson_orders(0.2, -0.4), 9000, 1000, seed=4))
    assert np.mean([r.verdict == "negative" for r in results]) > 0.9


def test_too_small_to_tell():
    rng = np.random.default_rng(0)
    # a holdout of 40 customers
    assert compare(stats(rng.poisson(0.3, 2000).astype(float)), stats(rng.poisson(0.2, 40).astype(float))).verdict \
        == "too_small"
    # big groups but almost nobody ordered
    few = np.zeros(1000)
    few[:3] = 1
    assert compare(stats(few), stats(np.zeros(1000))).verdict == "too_small"
    # an interval too wide to tell doubling from nothing (rare, large orders)
    rare = np.zeros(300)
    rare[:6] = 1
    lucky = np.zeros(300)
    lucky[:12] = 1
    assert compare(stats(lucky), stats(rare)).verdict == "too_small"
    # an empty group: nothing to compare
    empty = compare(stats(np.ones(10)), GroupStats(0, 0, 0.0, 0.0))
    assert (empty.difference, empty.relative, empty.verdict) == (None, None, "too_small")


def test_exact_figures_of_a_small_example():
    mailed = stats(np.array([0, 1, 2, 0, 1], float))  # mean 0.8, variance 0.7
    holdout = stats(np.array([0, 1, 0, 0], float))  # mean 0.25, variance 0.25
    result = compare(mailed, holdout, min_group=1, min_events=1)
    se = np.sqrt(0.7 / 5 + 0.25 / 4)
    assert result.difference.estimate == pytest.approx(0.55)
    assert (result.difference.low, result.difference.high) == pytest.approx((0.55 - 1.959964 * se,
                                                                             0.55 + 1.959964 * se), rel=1e-6)
    assert result.relative.estimate == pytest.approx(0.8 / 0.25 - 1)
    se_log = np.sqrt(0.7 / (5 * 0.64) + 0.25 / (4 * 0.0625))
    assert result.relative.low == pytest.approx(3.2 * np.exp(-1.959964 * se_log) - 1, rel=1e-6)
    # a zero mean has no relative lift
    assert compare(mailed, stats(np.zeros(4)), min_group=1, min_events=1).relative is None


def test_inconsistent_statistics_are_refused():
    with pytest.raises(ValueError):
        GroupStats(3, 4, 1.0, 1.0)
    with pytest.raises(ValueError):
        GroupStats(-1, 0, 0.0, 0.0)
