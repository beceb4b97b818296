"""BG/NBD and Gamma-Gamma against the published CDNOW results (Fader, Hardie & Lee 2005; Fader & Hardie 2013),
churn risk against CDNOW master's holdout and simulated customers, and the fallback of a new shop."""

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from saleor_crm_plugin.analytics.clv import BetaGeo, FitError, GammaGamma
from saleor_crm_plugin.analytics.summary import summarize
from saleor_crm_plugin.analytics.value import CHURN_HORIZON_DAYS, MIN_REPEAT_CUSTOMERS, customer_value
from crm_host.cdnow import CALIBRATION_END, HOLDOUT_DAYS, calibration_and_holdout, read_cdnow

CHURN_AUC_TARGET = 0.74


@pytest.fixture(scope="module")
def calibration():
    """CDNOW sample, 1997-01-01..1997-09-30, in weeks, same-day purchases merged."""
    return summarize(*read_cdnow(), end_day=CALIBRATION_END)


def test_the_summary_matches_the_papers_data(calibration):
    assert len(calibration.customer) == 2357 and calibration.x.sum() == 2457
    first = calibration.customer.tolist().index(4)  # the paper's first customer: x=2, t_x=30.43, T=38.86
    assert (calibration.x[first], round(calibration.t_x[first], 2), round(calibration.T[first], 2)) == (2, 30.43, 38.86)


def test_bgnbd_reproduces_the_published_parameters(calibration):
    model = BetaGeo().fit(calibration.x, calibration.t_x, calibration.T)
    for fitted, published in zip(model.params_, (0.2425945, 4.4136019, 0.7929199, 2.4258881)):
        assert fitted == pytest.approx(published, rel=1e-3)
    assert model.log_likelihood_ == pytest.approx(-9582.429, abs=0.01)
    # the paper's worked example: x=2, t_x=30.43, T=38.86 → 1.226 purchases in the next 39 weeks
    assert float(model.expected_purchases(39, 2, 30.43, 38.86)) == pytest.approx(1.226, abs=5e-4)


def test_gamma_gamma_reproduces_the_published_parameters(calibration):
    model = GammaGamma().fit(calibration.x, calibration.m_x)
    assert (model.p_, model.q_, model.gamma_) == (pytest.approx(6.25, abs=0.01), pytest.approx(3.74, abs=0.01),
                                                  pytest.approx(15.44, abs=0.01))
    assert model.log_likelihood_ == pytest.approx(-4055.92, abs=0.01)


def test_predictions_behave(calibration):
    model = BetaGeo().fit(calibration.x, calibration.t_x, calibration.T)
    # no repeat purchase yet: certainly alive; the longer the silence, the less likely alive
    assert float(model.probability_alive(0, 0, 30)) == 1.0
    assert model.probability_alive(3, 10, 38) < model.probability_alive(3, 30, 38)
    horizon = model.expected_purchases(np.array([4, 13, 52]), 3, 30, 38)
    assert np.all(np.diff(horizon) > 0)


def test_fits_refuse_data_without_repeat_purchases():
    with pytest.raises(FitError):
        BetaGeo().fit([0, 0, 0], [0, 0, 0], [5, 6, 7])
    with pytest.raises(FitError):
        GammaGamma().fit([0, 1], [0, 10])


def test_a_small_shop_gets_the_stated_fallback_not_zeros():
    # given: 12 customers, 6 of them repeat buyers, far below MIN_REPEAT_CUSTOMERS
    customers, days, values = [], [], []
    for c in range(12):
        for n in range(1 + (c % 2) * 3):
            customers.append(c), days.append(100 + c + n * 20), values.append(30.0 + c)
    summary = summarize(np.array(customers), np.array(days), np.array(values), end_day=180)
    # when
    value = customer_value(summary)
    # then
    assert int((summary.x > 0).sum()) < MIN_REPEAT_CUSTOMERS
    assert value.method == "fallback" and set(value.confidence) <= {"low", "medium"}
    regular = summary.x > 0
    assert np.all(value.expected_orders[90][regular] > 0) and np.all(value.clv_12m[regular] > 0)
    assert np.all((value.p_alive >= 0) & (value.p_alive <= 1))
    assert value.params["fallback"]["min_repeat_customers"] == MIN_REPEAT_CUSTOMERS


def simulate_bgnbd(params, customers: int, calibration_weeks: float, holdout_weeks: float, seed: int = 1):
    """BG/NBD's own story, all customers first buying at 0: (x, t_x, bought in the holdout) per customer."""
    r, alpha, a, b = params
    rng = np.random.default_rng(seed)
    rate, drop = rng.gamma(r, 1 / alpha, customers), rng.beta(a, b, customers)
    now, x, t_x = np.zeros(customers), np.zeros(customers), np.zeros(customers)
    later, active = np.zeros(customers, bool), np.ones(customers, bool)
    while active.any():
        i = np.flatnonzero(active)
        now[i] += rng.exponential(1 / rate[i])
        calibration = i[now[i] <= calibration_weeks]
        x[calibration] += 1
        t_x[calibration] = now[calibration]
        later[i[(now[i] > calibration_weeks) & (now[i] <= calibration_weeks + holdout_weeks)]] = True
        active[i[now[i] > calibration_weeks]] = False  # the first purchase after calibration settles it
        active[i[rng.random(len(i)) < drop[i]]] = False  # drops out after this purchase
    return x, t_x, later


def test_probability_of_no_purchase_matches_simulated_customers():
    # given: 200,000 customers simulated from CDNOW-like parameters, 39 weeks observed, 39 weeks ahead
    params = (0.25, 4.8, 0.72, 2.16)
    x, t_x, later = simulate_bgnbd(params, 200_000, 39.0, 39.0)
    T = np.full_like(x, 39.0)
    model = BetaGeo(*params)
    # when
    silent = model.probability_no_purchase(39.0, x, t_x, T)
    # then: predicted and simulated shares of customers without a purchase agree, one-time buyers included
    for group in (x == 0, x > 0, x >= 3):
        assert silent[group].mean() == pytest.approx((~later[group]).mean(), abs=0.006)
    # 1 − P(alive) calls every one-time buyer safe, though most of them do not buy again
    assert np.all(1 - model.probability_alive(x, t_x, T)[x == 0] == 0) and (~later[x == 0]).mean() > 0.8


def test_probability_of_no_purchase_grows_with_silence_and_shrinks_with_the_horizon():
    model = BetaGeo(0.25, 4.8, 0.72, 2.16)
    assert float(model.probability_no_purchase(0.0, 2, 20, 38)) == pytest.approx(1.0)
    one_time = model.probability_no_purchase(13.0, 0, 0, np.array([1.0, 10.0, 38.0]))
    assert np.all(np.diff(one_time) > 0) and np.all(one_time < 1)
    horizons = model.probability_no_purchase(np.array([4.0, 13.0, 52.0]), 3, 30, 38)
    assert np.all(np.diff(horizons) < 0)


@pytest.fixture(scope="module")
def master_holdout():
    """CDNOW master (23,570 customers): the first 39 weeks summarised, and who bought in the next 39."""
    return calibration_and_holdout("CDNOW_master.txt")


def test_churn_risk_ranks_cdnow_masters_lapsed_customers(master_holdout):
    # given
    summary, bought = master_holdout
    # when: fitted on the first 39 weeks, churn risk over the 39-week holdout
    value = customer_value(summary, churn_horizon_days=HOLDOUT_DAYS)
    # then
    assert len(summary.customer) == 23570 and value.method == "bgnbd"
    assert value.churn_horizon_days == HOLDOUT_DAYS and value.params["churn_horizon_days"] == HOLDOUT_DAYS
    one_time = summary.x == 0
    # one-time buyers are no longer called safe: they rank above the repeat buyers, as they lapse more
    assert one_time.sum() == 14119 and value.churn_risk[one_time].min() > value.churn_risk[~one_time].mean()
    assert roc_auc_score(~bought, value.churn_risk) >= CHURN_AUC_TARGET
    # the old meaning, 1 − P(alive), ranks them backwards: the target tells the two apart
    assert roc_auc_score(~bought, 1 - value.p_alive) < 0.5


def test_churn_risk_horizon_defaults_and_is_checked(master_holdout):
    summary, _ = master_holdout
    value = customer_value(summary)
    assert value.churn_horizon_days == CHURN_HORIZON_DAYS == 90
    longer = customer_value(summary, churn_horizon_days=365)
    assert np.all(longer.churn_risk <= value.churn_risk + 1e-12)
    with pytest.raises(ValueError):
        customer_value(summary, churn_horizon_days=0)


def per_day(orders_each, days_each, end_day):
    """Summary of per-day rows as the shop reads them: customer i placed ``orders_each[i]`` orders of 25 that day."""
    orders = np.array(orders_each, float)
    return summarize(np.arange(len(orders)), np.array(days_each), 25.0 * orders, end_day=end_day, orders=orders)


def test_a_new_shop_projects_more_for_a_customer_with_more_orders():
    # given: day one of a shop: one customer placed 4 orders minutes ago, two others 1 each
    summary = per_day([4, 1, 1], [500, 500, 500], end_day=500)
    # when
    value = customer_value(summary)
    # then: projections grow with orders (P(alive) is 1 for all: they were active minutes ago)
    assert summary.orders.tolist() == [4, 1, 1] and summary.x.tolist() == [0, 0, 0]
    assert value.method == "fallback" and np.all(value.p_alive == 1)
    assert value.expected_orders[90][0] > value.expected_orders[90][1] > 0
    assert value.churn_risk[0] < value.churn_risk[1] < 1
    assert value.clv_12m[0] > value.clv_12m[1] > 0
    # conservative: minutes of orders are not extrapolated to months (at most ~1 more order a month)
    assert value.expected_orders[90][0] < 3
    assert value.expected_order_value.tolist() == [25.0, 25.0, 25.0]


def test_same_day_orders_count_as_orders_from_raw_rows_too():
    # given: the same day one, one row per order
    summary = summarize(np.array([0, 0, 0, 0, 1]), np.full(5, 500), np.full(5, 25.0), end_day=500)
    # when
    value = customer_value(summary)
    # then
    assert summary.orders.tolist() == [4, 1]
    assert value.expected_orders[90][0] > value.expected_orders[90][1] > 0


def test_fallback_churn_risk_is_no_order_within_the_horizon():
    # given: a small shop with regulars every 20 days and one-time buyers
    customers, days, values = [], [], []
    for c in range(12):
        for n in range(1 + (c % 2) * 3):
            customers.append(c), days.append(100 + c + n * 20), values.append(30.0 + c)
    summary = summarize(np.array(customers), np.array(days), np.array(values), end_day=180)
    # when
    month, year = customer_value(summary, churn_horizon_days=30), customer_value(summary, churn_horizon_days=365)
    # then: 1 − P(alive) · P(at least one order at the customer's rate), stated with its horizon
    assert month.method == year.method == "fallback" and month.params["churn_horizon_days"] == 30
    rate = month.expected_orders[30] / np.maximum(month.p_alive, 1e-12) / (30 / 7)
    assert month.churn_risk == pytest.approx(1 - month.p_alive * (1 - np.exp(-rate * 30 / 7)))
    assert np.all(year.churn_risk < month.churn_risk)
    regular, one_time = summary.x > 0, summary.x == 0
    assert month.churn_risk[regular].mean() < month.churn_risk[one_time].mean()


def test_a_shop_without_any_repeat_order_projects_nothing_and_says_so():
    summary = per_day([1, 1], [400, 500], end_day=500)
    value = customer_value(summary)
    assert np.all(value.expected_orders[90] == 0) and np.all(value.churn_risk == 1)
    assert set(value.confidence) == {"low"} and value.params["fallback"]["shop_rate_per_week"] == 0
