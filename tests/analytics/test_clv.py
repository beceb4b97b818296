"""BG/NBD and Gamma-Gamma against the published CDNOW results (Fader, Hardie & Lee 2005; Fader & Hardie 2013)."""

import numpy as np
import pytest

from saleor_crm_plugin.analytics.clv import BetaGeo, FitError, GammaGamma
from saleor_crm_plugin.analytics.summary import summarize
from saleor_crm_plugin.analytics.value import MIN_REPEAT_CUSTOMERS, customer_value
from crm_host.cdnow import CALIBRATION_END, read_cdnow


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
